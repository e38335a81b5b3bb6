// Replaced by the real sources of this folder.
