package state

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// BusyError is Open's answer when another sandbox holds the state file.
type BusyError struct {
	Path string
	// PID is the holder's process ID, 0 when it is not known yet.
	PID int
}

func (e *BusyError) Error() string {
	who := "another process"
	if e.PID > 0 {
		who = fmt.Sprintf("process %d", e.PID)
	}
	return fmt.Sprintf("sandbox state %s is in use by another winami sandbox (%s): stop that sandbox, or give this one another --state file", e.Path, who)
}

// maxSymlinks bounds how many symbolic links resolve follows, as the
// kernel does (a loop would otherwise never end).
const maxSymlinks = 40

// resolve follows symbolic links from path to the file they name, which
// need not exist yet. Saves rename over that file, so a state file that is
// a link keeps being a link, and its target is what gets written.
func resolve(path string) (string, error) {
	for range maxSymlinks {
		fi, err := os.Lstat(path)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			return path, nil // a missing file is seeded at this path
		}
		target, err := os.Readlink(path)
		if err != nil {
			return "", fmt.Errorf("reading sandbox state %s: %w", path, err)
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(path), target)
		}
		path = target
	}
	return "", fmt.Errorf("reading sandbox state %s: too many levels of symbolic links", path)
}

// lockPath is the lock file beside a state file: the state file itself is
// replaced on every save, so a lock on it would not outlive the first change.
func lockPath(path string) string {
	return filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".lock")
}

// tempPattern is the name os.CreateTemp gives a save's temporary file.
func tempPattern(path string) string { return "." + filepath.Base(path) + ".tmp-*" }

// isTemp says whether name is one of path's temporary files: the pattern's
// prefix followed by the digits os.CreateTemp puts for its star.
func isTemp(path, name string) bool {
	digits, ok := strings.CutPrefix(name, strings.TrimSuffix(tempPattern(path), "*"))
	if !ok || digits == "" {
		return false
	}
	return strings.Trim(digits, "0123456789") == ""
}

// cleanTemps removes the temporary files a killed sandbox left beside the
// state file. Only the holder of the lock calls it, so no live sandbox is
// writing one of them; only regular files of the state file's own pattern
// are touched.
func cleanTemps(path string) {
	dir := filepath.Dir(path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if e.Type().IsRegular() && isTemp(path, e.Name()) {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// readState reads the state file, or says it does not exist. Anything but
// a regular file is refused before it is opened: reading a FIFO would wait
// for a writer for ever, and a device may never end.
func readState(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("reading sandbox state %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("reading sandbox state %s: it is %s, not a regular file: give --state a regular file (or a path that does not exist yet)", path, kind(fi.Mode()))
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading sandbox state %s: %w", path, err)
	}
	return data, nil
}

func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	default:
		return "a special file"
	}
}
