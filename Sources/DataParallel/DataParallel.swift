// The DataParallel module.
