package spec

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/winami/winami/pkg/component"
	"github.com/winami/winami/pkg/inputfile"
)

// Options are the caller's choices about what a spec may reach.
type Options struct {
	// AllowOutsideFiles lets component files lie outside the spec's
	// directory. Off by default: a spec from an untrusted pull request must
	// not be able to upload /proc/self/environ or ~/.aws/credentials into
	// an Image Builder component. Only the person running winami can turn
	// it on (a flag), never the spec itself.
	AllowOutsideFiles bool
}

// ComponentDocument is the content of a component file, as it was read and
// validated when the spec was loaded, so that what is uploaded is what was
// checked. For a Spec built in Go it reads the file with the same rules.
func (s *Spec) ComponentDocument(c Component) (string, error) {
	if doc, ok := s.docs[c.File]; ok {
		return doc, nil
	}
	doc, err := readComponentFile(s, c.File)
	if err != nil {
		return "", fmt.Errorf("component %s: %w", c.File, err)
	}
	return string(doc), nil
}

// componentFile reads a local component file once: it must be a regular file
// inside the spec's directory (unless the caller allows others), within
// Image Builder's inline limit, and a valid AWSTOE document. Its problems
// are placed in the component file itself.
func (c *checker) componentFile(path, file string, seen map[string]string) {
	full := c.s.ComponentPath(Component{File: file})
	real, err := filepath.EvalSymlinks(full)
	if errors.Is(err, fs.ErrNotExist) {
		c.add(path, "%q not found (looked for %s)", file, full)
		return
	}
	if err != nil {
		c.add(path, "cannot read %q: %v", file, err)
		return
	}
	if first, dup := seen[real]; dup {
		c.add(path, "the same file as %s", first)
		return
	}
	seen[real] = parentPath(path)
	doc, err := readComponentFile(c.s, file)
	var notRegular *inputfile.NotRegularError
	switch {
	case errors.As(err, &notRegular):
		c.add(path, "%q is %s; want an AWSTOE YAML document (a regular file)", file, notRegular.Kind)
		return
	case err != nil:
		c.add(path, "%v", err)
		return
	}
	if c.s.docs == nil {
		c.s.docs = map[string]string{}
	}
	c.s.docs[file] = string(doc)
	for _, p := range component.Validate(doc) {
		c.probs = append(c.probs, Problem{File: full, Line: p.Line, Column: p.Column, Path: p.Path,
			Message: p.Message + " (" + path + ")"})
	}
}

// readComponentFile applies the rules of componentFile's reading.
func readComponentFile(s *Spec, file string) ([]byte, error) {
	full := s.ComponentPath(Component{File: file})
	real, err := filepath.EvalSymlinks(full)
	if err != nil {
		return nil, err
	}
	if !s.opts.AllowOutsideFiles {
		if err := insideSpecDir(s, file, real); err != nil {
			return nil, err
		}
	}
	return component.ReadFile(real)
}

// insideSpecDir refuses a component file whose real path (symlinks
// resolved) is not in the spec's directory or below it.
func insideSpecDir(s *Spec, file, real string) error {
	dir, err := filepath.EvalSymlinks(filepath.Dir(s.File))
	if err != nil {
		return err
	}
	dir, err = filepath.Abs(dir)
	if err != nil {
		return err
	}
	abs, err := filepath.Abs(real)
	if err != nil {
		return err
	}
	rel, err := filepath.Rel(dir, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		via := ""
		if named, err := filepath.Abs(s.ComponentPath(Component{File: file})); err == nil && named != abs {
			via = " (through a symlink, to " + abs + ")"
		}
		return fmt.Errorf("%q is outside the spec's directory %s%s; component files must be in it or below it, "+
			"so that a spec cannot upload other files of this machine — pass --allow-outside-files if you trust this spec", file, dir, via)
	}
	return nil
}
