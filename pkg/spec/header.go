package spec

import (
	"fmt"
	"reflect"

	"github.com/winami/winami/pkg/inputfile"
)

// Header is what names the resources a spec made: its format (apiVersion,
// kind), name and home region. Commands that only find those resources
// (status, destroy, drift -f) load it rather than the whole Spec, so that a
// spec whose component file was deleted, or that a newer winami would
// refuse for a build-only reason, can still be inspected and destroyed.
type Header struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Name       string `yaml:"name"`
	Region     string `yaml:"region"`

	// File is the path the spec was read from.
	File string `yaml:"-"`
}

// LoadHeader reads the spec at path and checks only its header: apiVersion
// and kind, name and region, with the rules Load applies to them. It reads
// no component file and ignores every other key (it does not check them),
// so its error is Problems about those four fields, or the read error.
func LoadHeader(path string) (*Header, error) {
	data, err := inputfile.Read(path, MaxSpecBytes)
	if err != nil {
		return nil, fmt.Errorf("reading spec: %w", err)
	}
	return ParseHeader(path, data)
}

// ParseHeader is LoadHeader on the file's content; file names the spec in
// problems.
func ParseHeader(file string, data []byte) (*Header, error) {
	h := &Header{File: file}
	d := newDecoder(file)
	d.onlyKnown = true
	root, ok := d.document(data)
	if !ok {
		return nil, d.probs
	}
	d.decode("", root, reflect.ValueOf(h).Elem())
	// Four scalar fields: the decoder's word on their types is enough (the
	// whole schema would judge keys this load does not read).
	d.probs = append(d.probs, d.pending...)
	skip := map[string]bool{}
	for _, p := range d.probs {
		skip[p.Path] = true
	}
	// The same checks as Load's, on a Spec holding only the header.
	s := &Spec{APIVersion: h.APIVersion, Kind: h.Kind, Name: h.Name, Region: h.Region, File: file, pos: d.pos, keys: d.keys}
	c := &checker{s: s, skip: skip}
	c.header()
	c.name()
	c.region()
	probs := append(d.probs, c.probs...)
	if len(probs) > 0 {
		probs.sort()
		return nil, probs
	}
	return h, nil
}
