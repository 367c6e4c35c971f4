package cmdutil

import (
	"errors"
	"fmt"

	"github.com/winami/winami/pkg/spec"
)

// LoadSpec reads a winami.yaml with what the global flags allow; its
// problems, every one with file:line:col, come under one line that counts them.
func (a *App) LoadSpec(path string) (*spec.Spec, error) {
	s, err := spec.LoadWith(path, spec.Options{AllowOutsideFiles: a.Globals.AllowOutsideFiles})
	if err != nil {
		return nil, specError(path, err)
	}
	return s, nil
}

// LoadSpecHeader reads only what names a spec's resources (apiVersion,
// kind, name, region: spec.LoadHeader), for the commands that find what a
// spec made rather than build it (status, destroy, drift -f): a spec whose
// component file is gone can still be inspected and destroyed.
func (a *App) LoadSpecHeader(path string) (*spec.Header, error) {
	h, err := spec.LoadHeader(path)
	if err != nil {
		return nil, specError(path, err)
	}
	return h, nil
}

// specError puts the spec's problems under one line that counts them.
func specError(path string, err error) error {
	var probs spec.Problems
	if errors.As(err, &probs) {
		return fmt.Errorf("%s has %d problem(s):\n%w", path, len(probs), err)
	}
	return err
}
