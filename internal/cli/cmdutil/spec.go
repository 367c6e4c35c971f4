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
		var probs spec.Problems
		if errors.As(err, &probs) {
			return nil, fmt.Errorf("%s has %d problem(s):\n%w", path, len(probs), err)
		}
		return nil, err
	}
	return s, nil
}
