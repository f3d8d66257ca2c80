package sandboxconf

// SetBeforeLock injects f between Finish's open of the journal and its lock.
func SetBeforeLock(s *Records, f func()) { s.beforeLock = f }
