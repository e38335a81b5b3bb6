// Placeholder: filled by the issue [2/7] work.
