//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package state

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// canLock says whether this build takes the state file's lock (and so may
// clean up temporary files other sandboxes could be writing).
const canLock = true

// lockFile takes an exclusive flock on path, creating it, and records this
// process's ID in it so that a second sandbox can say who holds it. The
// kernel releases a flock when its holder dies, so a killed sandbox leaves
// no stale lock behind, only the file. The file is never removed: a sandbox
// waiting on the old inode and one creating a new file could both "hold" it.
func lockFile(path string) (*os.File, error) {
	// O_NOFOLLOW: a symlink planted as the lock file must not redirect the
	// PID write; O_NONBLOCK: a FIFO there must not hang the open.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0o644)
	if err != nil {
		return nil, fmt.Errorf("locking sandbox state: %w", err)
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("locking sandbox state: %s is not a regular file: remove it", path)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		defer f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, &BusyError{PID: holder(f)}
		}
		return nil, fmt.Errorf("locking sandbox state %s: %w", path, err)
	}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return f, nil
}

// unlockFile releases the lock (closing the file would too).
func unlockFile(f *os.File) error {
	_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return f.Close()
}

// holder is the PID the lock's holder wrote, or 0 when it has not yet.
func holder(f *os.File) int {
	b, err := io.ReadAll(io.LimitReader(f, 32))
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}
