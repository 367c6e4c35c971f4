// Package state keeps the sandbox world in memory, serialises access to it,
// and, when given a file, saves it atomically after every change.
package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/winami/winami/sandbox/world"
)

// Store guards the world. Reads share a lock; each change holds it alone and,
// with a file, is on disk before Update returns.
type Store struct {
	mu   sync.RWMutex
	w    *world.World
	path string
}

// Open returns a store over the world in path, or over seed() when path is
// empty or does not exist yet (the seeded world is then saved to path).
func Open(path string, seed func() *world.World) (*Store, error) {
	s := &Store{path: path}
	if path != "" {
		data, err := os.ReadFile(path)
		switch {
		case err == nil:
			var w world.World
			if err := json.Unmarshal(data, &w); err != nil {
				return nil, fmt.Errorf("reading sandbox state %s: %w (remove the file to start from a fresh seeded world)", path, err)
			}
			s.w = &w
			return s, nil
		case !errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("reading sandbox state: %w", err)
		}
	}
	s.w = seed()
	if err := s.save(); err != nil {
		return nil, err
	}
	return s, nil
}

// View runs fn with the world for reading. fn must not change it or keep it.
func (s *Store) View(fn func(w *world.World) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return fn(s.w)
}

// SetExtra attaches what is seeded beside the world and never saved (see
// world.Extra). It takes no snapshot: the extra part is not the state's.
func (s *Store) SetExtra(e *world.Extra) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.w.Extra = e
}

// Update runs fn with the world for changing. When fn fails, or the change
// cannot be saved, the world is restored to what it was before, so a failed
// request leaves nothing half-made.
func (s *Store) Update(fn func(w *world.World) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	before, err := json.Marshal(s.w)
	if err != nil {
		return fmt.Errorf("snapshotting sandbox state: %w", err)
	}
	if err := fn(s.w); err != nil {
		s.restore(before)
		return err
	}
	if err := s.save(); err != nil {
		s.restore(before)
		return err
	}
	return nil
}

func (s *Store) restore(snapshot []byte) {
	var w world.World
	if err := json.Unmarshal(snapshot, &w); err == nil {
		w.Extra = s.w.Extra // never in a snapshot, never changed by requests
		s.w = &w
	}
}

// Snapshot returns the world as JSON.
func (s *Store) Snapshot() ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return json.MarshalIndent(s.w, "", " ")
}

// save writes the world to a temporary file in the same directory and renames
// it over the state file: a crash leaves the old file or the new, never a torn one.
func (s *Store) save() error {
	if s.path == "" {
		return nil
	}
	data, err := json.Marshal(s.w)
	if err != nil {
		return fmt.Errorf("encoding sandbox state: %w", err)
	}
	dir := filepath.Dir(s.path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(s.path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("saving sandbox state: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("saving sandbox state: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("saving sandbox state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("saving sandbox state: %w", err)
	}
	if err := os.Rename(tmp.Name(), s.path); err != nil {
		return fmt.Errorf("saving sandbox state: %w", err)
	}
	return nil
}
