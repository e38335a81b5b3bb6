// Skeleton, replaced by the real sources.
