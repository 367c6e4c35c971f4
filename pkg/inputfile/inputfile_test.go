//go:build unix

package inputfile_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/winami/winami/pkg/inputfile"
)

func TestReadRegularFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "spec.yaml")
	if err := os.WriteFile(path, []byte("name: x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	data, err := inputfile.Read(path, 8)
	if err != nil || string(data) != "name: x\n" {
		t.Fatalf("Read = %q, %v", data, err)
	}
	// A symlink to a regular file is read through.
	link := filepath.Join(t.TempDir(), "link.yaml")
	if err := os.Symlink(path, link); err != nil {
		t.Fatal(err)
	}
	if data, err := inputfile.Read(link, 8); err != nil || string(data) != "name: x\n" {
		t.Fatalf("Read(symlink) = %q, %v", data, err)
	}
}

func TestReadTooLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(path, []byte(strings.Repeat("a", 9)), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := inputfile.Read(path, 8)
	var tl *inputfile.TooLargeError
	if !errors.As(err, &tl) || tl.Limit != 8 {
		t.Fatalf("Read of 9 bytes with a limit of 8 = %v; want a TooLargeError", err)
	}
	if !strings.Contains(err.Error(), "8 bytes") {
		t.Errorf("the error should name the limit: %v", err)
	}
}

// TestReadDevicesAndProc: files whose Stat size is 0 or that never end are
// still bounded by what is read.
func TestReadDevicesAndProc(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero here")
	}
	if _, err := inputfile.Read("/dev/zero", 1<<20); !errors.Is(err, inputfile.ErrNotRegular) {
		t.Errorf("Read(/dev/zero) = %v; want ErrNotRegular", err)
	}
	if _, err := inputfile.Read(t.TempDir(), 1<<20); !errors.Is(err, inputfile.ErrNotRegular) || !strings.Contains(err.Error(), "directory") {
		t.Errorf("Read(dir) = %v; want ErrNotRegular naming a directory", err)
	}
	if _, err := os.Stat("/proc/self/environ"); err == nil {
		// Regular with a Stat size of 0: the limit holds while reading.
		_, err := inputfile.Read("/proc/self/maps", 16)
		var tl *inputfile.TooLargeError
		if !errors.As(err, &tl) {
			t.Errorf("Read(/proc/self/maps, 16) = %v; want TooLargeError", err)
		}
	}
}

// TestReadFIFODoesNotHang: a FIFO with no writer is refused at once.
func TestReadFIFODoesNotHang(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	done := make(chan error, 1)
	go func() { _, err := inputfile.Read(path, 1<<20); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, inputfile.ErrNotRegular) || !strings.Contains(err.Error(), "named pipe") {
			t.Errorf("Read(fifo) = %v; want ErrNotRegular naming a named pipe", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Read of a FIFO without a writer hangs")
	}
}

func TestSize(t *testing.T) {
	for n, want := range map[int64]string{1 << 20: "1 MiB", 64 << 10: "64 KiB", 16000: "16000 bytes", 100: "100 bytes"} {
		if got := inputfile.Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
}
