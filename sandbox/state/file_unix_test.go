//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package state

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A FIFO (or a device) as state file is refused at once: reading it waited
// for a writer for ever.
func TestFIFOIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := Open(path, noSeed(t))
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "named pipe") || !strings.Contains(err.Error(), "regular file") {
			t.Errorf("Open(FIFO) = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Open(FIFO) hangs")
	}
	// A link to a device is followed, then refused.
	link := filepath.Join(t.TempDir(), "state.json")
	if err := os.Symlink("/dev/zero", link); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(link, noSeed(t)); err == nil || !strings.Contains(err.Error(), "a device") {
		t.Errorf("Open(link to /dev/zero) = %v", err)
	}
}

// holdEnv makes the test binary a sandbox that holds a state file until killed.
const holdEnv = "WINAMI_STATE_TEST_HOLD"

func TestMain(m *testing.M) {
	if path := os.Getenv(holdEnv); path != "" {
		s, err := Open(path, seedWorld)
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		_ = s
		fmt.Println("holding")
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// Another process holding the state file is named by its PID; killed, it
// leaves no lock that blocks the next sandbox (the kernel drops a dead
// process's flock).
func TestLockOfAKilledProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), holdEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "holding\n" {
		t.Fatalf("holder said %q, %v", line, err)
	}
	_, err = Open(path, noSeed(t))
	var busy *BusyError
	if !errors.As(err, &busy) || busy.PID != cmd.Process.Pid {
		t.Fatalf("Open while another process holds the file = %v, want busy by %d", err, cmd.Process.Pid)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	s, err := Open(path, noSeed(t))
	if err != nil {
		t.Fatalf("Open after the holder was killed: %v", err)
	}
	s.Close()
}
