package component

import (
	"regexp"
	"sync"

	"github.com/goccy/go-yaml/ast"
)

// variableName is AWSTOE's rule for parameter and constant names: 3 to 128
// letters, digits, dashes and underscores.
var variableName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_-]{3,128}$`) })

// variables checks the parameters or constants section: a list of
// single-key mappings, {Name: {type: string, ...}}, each name declared
// once across both sections. valueKey is the key that must (constants) or
// may (parameters) hold the value.
func (c *checker) variables(e entry, section, kind string, allowed []string, valueKey string) {
	items, ok := c.sequence(e.value, e.keyAt, section, "a list of "+kind+"s, each `- Name: {type: string, ...}`")
	if !ok {
		return
	}
	for i, it := range items {
		path := index(section, i)
		item := it.value
		es, ok := c.mapping(item, it.at, path, "a mapping of one "+kind+" name to its settings")
		if !ok {
			continue
		}
		if len(es) != 1 {
			c.report(item, path, "must name exactly one %s, found %d keys (indent the settings below the name)", kind, len(es))
			continue
		}
		name, settings := es[0].key, es[0].value
		namePath := join(path, name)
		if !variableName().MatchString(name) {
			c.report(es[0].keyAt, namePath, "%s name %q must be 3 to 128 letters, digits, '-' or '_'", kind, name)
		}
		if prev, dup := c.vars[name]; dup {
			line, col := position(prev)
			c.report(es[0].keyAt, namePath, "%q is already declared at %d:%d; parameter and constant names must be unique", name, line, col)
		} else {
			c.vars[name] = es[0].keyAt
		}
		fields, ok := c.mapping(settings, es[0].keyAt, namePath, "a mapping of "+joinWords(allowed))
		if !ok {
			continue
		}
		c.checkKeys(fields, namePath, allowed)
		if t, ok := lookup(fields, "type"); !ok {
			c.report(settings, namePath, `missing required key "type" (AWSTOE %ss are of type string)`, kind)
		} else if s, ok := scalar(t.value); !ok || s != "string" {
			c.report(orAt(t.value, t.keyAt), join(namePath, "type"), "must be string, the only type AWSTOE supports, found %s", describe(t.value))
		}
		v, hasValue := lookup(fields, valueKey)
		if !hasValue && kind == "constant" {
			c.report(settings, namePath, "missing required key %q", valueKey)
		}
		// An empty default is an empty string to AWSTOE; a constant needs a value.
		if hasValue && (v.value != nil || kind == "constant") {
			c.scalarField(v, join(namePath, valueKey))
		}
		if d, ok := lookup(fields, "description"); ok {
			c.scalarField(d, join(namePath, "description"))
		}
	}
}

func joinWords(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	out := words[0]
	for _, w := range words[1 : len(words)-1] {
		out += ", " + w
	}
	return out + " and " + words[len(words)-1]
}

// declared reports whether a name is a parameter or constant.
func (c *checker) declared(name string) (ast.Node, bool) {
	n, ok := c.vars[name]
	return n, ok
}
