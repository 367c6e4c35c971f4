package state

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/winami/winami/sandbox/world"
)

func seedWorld() *world.World {
	w := world.New("111122223333")
	w.UserName = "dev"
	w.AddRegion("us-east-1")
	return w
}

func noSeed(t *testing.T) func() *world.World {
	return func() *world.World {
		t.Error("seed called although a state file exists")
		return world.New("000000000000")
	}
}

func addParam(name, value string) func(*world.World) error {
	return func(w *world.World) error {
		w.Region("us-east-1").Parameters[name] = &world.Parameter{Name: name, ParameterVersion: world.ParameterVersion{Value: value, Type: "String", Version: 1}}
		return nil
	}
}

func param(t *testing.T, s *Store, name string) (value string, ok bool) {
	t.Helper()
	err := s.View(func(w *world.World) error {
		p := w.Region("us-east-1").Parameters[name]
		if p != nil {
			value, ok = p.Value, true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return value, ok
}

func TestRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	s, err := Open(path, seedWorld)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the seeded world was not saved: %v", err)
	}
	if err := s.Update(addParam("/a", "1")); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	again, err := Open(path, noSeed(t))
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := param(t, again, "/a"); !ok || v != "1" {
		t.Errorf("reopened store has /a = %q, %v", v, ok)
	}
	a, _ := s.Snapshot()
	b, _ := again.Snapshot()
	if string(a) != string(b) {
		t.Errorf("reopened world differs:\n%s\n%s", a, b)
	}
}

func TestInMemory(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	s, err := Open("", seedWorld)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Update(addParam("/a", "1")); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("an in-memory store wrote %v", entries)
	}
}

func TestFailedUpdateRollsBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	s, err := Open(path, seedWorld)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Update(addParam("/keep", "1")); err != nil {
		t.Fatal(err)
	}
	onDisk, _ := os.ReadFile(path)

	boom := errors.New("boom")
	err = s.Update(func(w *world.World) error {
		_ = addParam("/half-made", "x")(w)
		w.Region("us-east-1").Parameters["/keep"].Value = "changed"
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("Update returned %v, want the function's error", err)
	}
	if _, ok := param(t, s, "/half-made"); ok {
		t.Errorf("the failed update's parameter survived")
	}
	if v, _ := param(t, s, "/keep"); v != "1" {
		t.Errorf("/keep = %q after a failed update, want 1", v)
	}
	if now, _ := os.ReadFile(path); string(now) != string(onDisk) {
		t.Errorf("a failed update changed the file")
	}
}

func TestUnsavableUpdateRollsBack(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "gone")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := Open(filepath.Join(dir, "state.json"), seedWorld)
	if err != nil {
		t.Fatal(err)
	}
	// Without its directory the change cannot be saved (root ignores
	// permissions, so a read-only directory would not do).
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	err = s.Update(addParam("/unsaved", "1"))
	if err == nil || !strings.Contains(err.Error(), "saving sandbox state") {
		t.Fatalf("Update = %v, want a save error", err)
	}
	if _, ok := param(t, s, "/unsaved"); ok {
		t.Errorf("a change that could not be saved stayed in memory")
	}
}

func TestSaveLeavesNoTempFiles(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(filepath.Join(dir, "state.json"), seedWorld)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		if err := s.Update(addParam("/p", strings.Repeat("x", i))); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	entries = slices.DeleteFunc(entries, func(e os.DirEntry) bool { return e.Name() == ".state.json.lock" })
	if len(entries) != 1 || entries[0].Name() != "state.json" {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %v, want only state.json", names)
	}
}

func TestCorruptFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(path, []byte(`{"accountId": "1111`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Open(path, noSeed(t))
	if err == nil {
		t.Fatal("Open accepted a corrupt file")
	}
	for _, want := range []string{path, "remove the file"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	// The corrupt file is left for the user to inspect.
	if data, _ := os.ReadFile(path); string(data) != `{"accountId": "1111` {
		t.Errorf("Open changed the corrupt file to %q", data)
	}
}

func TestUnreadablePath(t *testing.T) {
	dir := t.TempDir() // a directory is not a state file
	if _, err := Open(dir, noSeed(t)); err == nil || !strings.Contains(err.Error(), "reading sandbox state") {
		t.Errorf("Open(directory) = %v", err)
	}
}

func TestConcurrentAccess(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "state.json"), seedWorld)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 10 {
				name := "/p/" + string(rune('a'+i)) + string(rune('a'+j))
				if err := s.Update(addParam(name, "v")); err != nil {
					t.Error(err)
				}
				param(t, s, name)
			}
		})
	}
	wg.Wait()
	var n int
	_ = s.View(func(w *world.World) error { n = len(w.Region("us-east-1").Parameters); return nil })
	if n != 80 {
		t.Errorf("%d parameters after 80 concurrent updates", n)
	}
}
