// Package inputfile reads the files a user hands to winami (specs, component
// documents, Karpenter node classes): regular files only, and never more
// than a stated size. A path can name anything — a FIFO that never ends,
// /dev/zero, a directory — and a spec may come from an untrusted pull
// request, so nothing is read before the file is known to be a plain file
// and nothing past the limit is kept.
package inputfile

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// ErrNotRegular is the error for a path that is not a regular file; the
// error Read returns is a *NotRegularError that matches it with errors.Is.
var ErrNotRegular = errors.New("not a regular file")

// NotRegularError says what the path is instead of a regular file.
type NotRegularError struct {
	Path string
	// Kind is "a directory", "a named pipe", "a socket" or "a device".
	Kind string
}

func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s is %s, not a regular file", e.Path, e.Kind)
}

// Is makes errors.Is(err, ErrNotRegular) true.
func (e *NotRegularError) Is(target error) bool { return target == ErrNotRegular }

// TooLargeError is the error for a file larger than the limit it was read with.
type TooLargeError struct {
	Path  string
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is larger than %s, the most winami reads from such a file", e.Path, Size(e.Limit))
}

// Read returns the content of the regular file at path, or an error when the
// path is not a regular file (a FIFO, device, socket or directory, named
// directly or through a symlink) or holds more than limit bytes.
//
// The file is opened without blocking, so a FIFO with no writer cannot hang
// the open, and checked through the opened descriptor, so what is read is
// what was checked. The size is enforced while reading, not taken from
// Stat: files such as /proc/self/environ report a size of zero.
func Read(path string, limit int64) ([]byte, error) {
	f, err := openNonBlocking(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, &NotRegularError{Path: path, Kind: kind(st.Mode())}
	}
	if st.Size() > limit {
		return nil, &TooLargeError{Path: path, Limit: limit}
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, &TooLargeError{Path: path, Limit: limit}
	}
	return data, nil
}

// kind names what a non-regular file is, for the error.
func kind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeDevice != 0:
		return "a device"
	default:
		return "not a plain file"
	}
}

// Size renders a byte count as people write limits: "1 MiB", "64 KiB", "512 bytes".
func Size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	default:
		return fmt.Sprintf("%d bytes", n)
	}
}
