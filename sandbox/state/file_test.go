package state

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A second store on a state file is refused while the first holds it, and
// the refusal names the holder; Close hands the file over.
func TestSecondOpenIsRefused(t *testing.T) {
	skipWithoutLock(t)
	path := filepath.Join(t.TempDir(), "state.json")
	s, err := Open(path, seedWorld)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(path, noSeed(t))
	var busy *BusyError
	if !errors.As(err, &busy) || busy.PID != os.Getpid() {
		t.Fatalf("second Open = %v, want a BusyError naming this process", err)
	}
	for _, want := range []string{path, fmt.Sprintf("process %d", os.Getpid()), "another --state file"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if err := s.Update(addParam("/first", "1")); err != nil {
		t.Errorf("the holder can no longer write: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(addParam("/late", "1")); err == nil {
		t.Error("a closed store still writes the file another sandbox may own")
	}
	again, err := Open(path, noSeed(t))
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	defer again.Close()
	if v, ok := param(t, again, "/first"); !ok || v != "1" {
		t.Errorf("the first store's write is lost: /first = %q, %v", v, ok)
	}
}

// A state file that is a symbolic link stays one: its target is read and
// written, also when the target does not exist yet.
func TestSymlinkIsWrittenThrough(t *testing.T) {
	for _, exists := range []bool{true, false} {
		t.Run(fmt.Sprintf("target exists %v", exists), func(t *testing.T) {
			dir := t.TempDir()
			target := filepath.Join(dir, "data", "world.json")
			if err := os.Mkdir(filepath.Dir(target), 0o755); err != nil {
				t.Fatal(err)
			}
			if exists {
				s, err := Open(target, seedWorld)
				if err != nil {
					t.Fatal(err)
				}
				s.Close()
			}
			link := filepath.Join(dir, "state.json")
			if err := os.Symlink(filepath.Join("data", "world.json"), link); err != nil {
				t.Fatal(err)
			}
			seed := seedWorld
			if exists {
				seed = noSeed(t)
			}
			s, err := Open(link, seed)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if err := s.Update(addParam("/through", "1")); err != nil {
				t.Fatal(err)
			}
			if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
				t.Fatalf("the link was replaced: %v, %v", fi, err)
			}
			data, err := os.ReadFile(target)
			if err != nil || !strings.Contains(string(data), `"/through"`) {
				t.Errorf("the target does not hold the change: %v", err)
			}
			// Both names reach one lock.
			if _, err := Open(target, noSeed(t)); canLock && !errors.As(err, new(*BusyError)) {
				t.Errorf("Open(target) while the link is open = %v, want busy", err)
			}
		})
	}
}

// Valid JSON that is not a sandbox world is refused with a clear message,
// and left as it is; it used to start an empty world whose every answer
// looked like a credentials error.
func TestWrongShapeIsRefused(t *testing.T) {
	cases := map[string]string{
		"empty object":    `{}`,
		"null":            `null`,
		"no regions":      `{"accountId":"111122223333","regions":{}}`,
		"bad account":     `{"accountId":"x","regions":{"us-east-1":{"name":"us-east-1"}}}`,
		"null region":     `{"accountId":"111122223333","regions":{"us-east-1":null}}`,
		"renamed region":  `{"accountId":"111122223333","regions":{"us-east-1":{"name":"eu-west-1"}}}`,
		"null image":      `{"accountId":"111122223333","regions":{"us-east-1":{"images":{"ami-1":null}}}}`,
		"null list entry": `{"accountId":"111122223333","regions":{"us-east-1":{"availabilityZones":[null]}}}`,
	}
	for what, content := range cases {
		t.Run(what, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.json")
			if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Open(path, noSeed(t))
			if err == nil {
				t.Fatal("Open accepted it")
			}
			for _, want := range []string{path, "does not hold a sandbox world", "remove the file"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
			if data, _ := os.ReadFile(path); string(data) != content {
				t.Errorf("Open changed the file to %s", data)
			}
		})
	}
}

// A null map is an empty one: "parameters": null made the first write to
// it panic (a 500).
func TestNullMapsAreEmpty(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	content := `{"accountId":"111122223333","regions":{"us-east-1":{"name":"us-east-1","parameters":null,"images":null}},"iam":{}}`
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path, noSeed(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Update(addParam("/a", "1")); err != nil {
		t.Fatal(err)
	}
	if v, ok := param(t, s, "/a"); !ok || v != "1" {
		t.Errorf("/a = %q, %v", v, ok)
	}
}

// The temporary files a killed sandbox left are removed at start: only the
// state file's own, and only by the sandbox that holds the lock.
func TestLeftTempFilesAreRemoved(t *testing.T) {
	skipWithoutLock(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	write := func(name string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(strings.Repeat("x", 1<<16)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ours := []string{".state.json.tmp-1234567890", ".state.json.tmp-7"}
	theirs := []string{".state.json.tmp-", ".state.json.tmp-12ab", ".other.json.tmp-123", "state.json.tmp-123", ".state.json.tmp-1.bak", "notes.txt"}
	for _, n := range append(append([]string{}, ours...), theirs...) {
		write(n)
	}
	s, err := Open(path, seedWorld)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range ours {
		if _, err := os.Stat(filepath.Join(dir, n)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s left behind: %v", n, err)
		}
	}
	for _, n := range theirs {
		if _, err := os.Stat(filepath.Join(dir, n)); err != nil {
			t.Errorf("%s removed: %v", n, err)
		}
	}
	// A second sandbox, refused, removes nothing: the holder may be saving.
	write(ours[0])
	if _, err := Open(path, noSeed(t)); err == nil {
		t.Fatal("second Open succeeded")
	}
	if _, err := os.Stat(filepath.Join(dir, ours[0])); err != nil {
		t.Errorf("a refused sandbox removed the holder's temporary file: %v", err)
	}
	s.Close()
}

func skipWithoutLock(t *testing.T) {
	t.Helper()
	if !canLock {
		t.Skip("this build does not lock state files")
	}
}
