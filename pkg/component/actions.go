package component

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/goccy/go-yaml/ast"
)

// inputShape is how an action module takes its inputs.
type inputShape int

const (
	// object inputs are one mapping: ExecutePowerShell's {commands: [...]}.
	object inputShape = iota + 1
	// list inputs are a list of mappings, one per item: S3Download's
	// [{source, destination}, ...].
	list
	// unchecked inputs are present but not checked further: the modules
	// whose inputs winami does not use (Assert's operators, InstallMSI's
	// options, ExecuteDocument's document and phases).
	unchecked
)

type fieldKind int

const (
	str fieldKind = iota + 1
	strList
	boolean
	integer
	anything
)

// field is one input key of an action module.
type field struct {
	name     string
	kind     fieldKind
	required bool
	// oneOf lists the values a string field may take, case-insensitively.
	oneOf []string
}

// module is an AWSTOE action module's input contract, from AWSTOE's action
// module reference.
type module struct {
	shape          inputShape
	inputsOptional bool       // Reboot and UpdateOS run without inputs
	fields         []field    // the keys of the inputs (of each item for list)
	exactlyOne     [][]string // groups of keys of which exactly one is given
	together       [][]string // groups of keys given all or none
}

var encodings = []string{
	"utf8", "utf-8", "utf16", "utf-16", "utf16-LE", "utf-16-LE", "utf16-BE", "utf-16-BE",
	"utf32", "utf-32", "utf32-LE", "utf-32-LE", "utf32-BE", "utf-32-BE",
}

func req(name string, kind fieldKind) field { return field{name: name, kind: kind, required: true} }
func opt(name string, kind fieldKind) field { return field{name: name, kind: kind} }

// modules are AWSTOE's action modules by name (names are case-sensitive).
var modules = map[string]module{
	// General execution.
	"Assert":            {shape: unchecked},
	"ExecuteBash":       {shape: object, fields: []field{req("commands", strList)}},
	"ExecuteBinary":     {shape: object, fields: []field{req("path", str), opt("arguments", strList)}},
	"ExecuteDocument":   {shape: unchecked},
	"ExecutePowerShell": {shape: object, fields: []field{opt("commands", strList), opt("file", str)}, exactlyOne: [][]string{{"commands", "file"}}},
	// File download and upload.
	"S3Download": {shape: list, fields: []field{req("source", str), req("destination", str), opt("expectedBucketOwner", str)}},
	"S3Upload":   {shape: list, fields: []field{req("source", str), req("destination", str), opt("recurse", boolean), opt("expectedBucketOwner", str)}},
	"WebDownload": {shape: list, fields: []field{
		req("source", str), req("destination", str), opt("overwrite", boolean), opt("checksum", str),
		{name: "algorithm", kind: str, oneOf: []string{"MD5", "SHA1", "SHA256", "SHA512"}}, opt("ignoreCertificateErrors", boolean),
	}, together: [][]string{{"checksum", "algorithm"}}},
	// File system operations.
	"AppendFile":           {shape: list, fields: []field{req("path", str), opt("content", str), {name: "encoding", kind: str, oneOf: encodings}}},
	"CopyFile":             {shape: list, fields: []field{req("source", str), req("destination", str), opt("overwrite", boolean)}},
	"CopyFolder":           {shape: list, fields: []field{req("source", str), req("destination", str), opt("overwrite", boolean)}},
	"CreateFile":           {shape: list, fields: []field{req("path", str), opt("content", str), {name: "encoding", kind: str, oneOf: encodings}, opt("owner", str), opt("group", str), opt("permissions", str), opt("overwrite", boolean)}},
	"CreateFolder":         {shape: list, fields: []field{req("path", str), opt("owner", str), opt("group", str), opt("permissions", str), opt("overwrite", boolean)}},
	"CreateSymlink":        {shape: list, fields: []field{req("path", str), req("target", str), opt("force", boolean)}},
	"DeleteFile":           {shape: list, fields: []field{req("path", str)}},
	"DeleteFolder":         {shape: list, fields: []field{req("path", str), opt("force", boolean)}},
	"ListFiles":            {shape: list, fields: []field{req("path", str), opt("fileNamePattern", str), opt("recursive", boolean)}},
	"MoveFile":             {shape: list, fields: []field{req("source", str), req("destination", str), opt("overwrite", boolean)}},
	"MoveFolder":           {shape: list, fields: []field{req("source", str), req("destination", str), opt("overwrite", boolean)}},
	"ReadFile":             {shape: list, fields: []field{req("path", str), {name: "encoding", kind: str, oneOf: encodings}, opt("printFileContent", boolean)}},
	"SetFileEncoding":      {shape: list, fields: []field{req("path", str), {name: "encoding", kind: str, oneOf: encodings}}},
	"SetFileOwner":         {shape: list, fields: []field{req("path", str), req("owner", str), opt("group", str)}},
	"SetFolderOwner":       {shape: list, fields: []field{req("path", str), req("owner", str), opt("group", str), opt("recursive", boolean)}},
	"SetFilePermissions":   {shape: list, fields: []field{req("path", str), req("permissions", str)}},
	"SetFolderPermissions": {shape: list, fields: []field{req("path", str), req("permissions", str), opt("recursive", boolean)}},
	// Software installation.
	"InstallMSI":   {shape: unchecked},
	"UninstallMSI": {shape: unchecked},
	// System actions.
	"Reboot": {shape: object, inputsOptional: true, fields: []field{opt("delaySeconds", integer)}},
	"SetRegistry": {shape: list, fields: []field{
		req("path", str), req("name", str), req("value", anything),
		{name: "type", kind: str, required: true, oneOf: []string{"BINARY", "DWORD", "QWORD", "SZ", "EXPAND_SZ", "MULTI_SZ"}},
	}},
	"UpdateOS": {shape: object, inputsOptional: true, fields: []field{opt("include", strList), opt("exclude", strList)}},
}

// moduleNames are the action modules in sorted order, for suggestions.
var moduleNames = func() []string {
	var out []string
	for name := range modules {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}()

// registryRoots are the key prefixes SetRegistry accepts.
var registryRoots = []string{
	"HKEY_CLASSES_ROOT", "HKCR:", "HKEY_USERS", "HKU:", "HKEY_LOCAL_MACHINE", "HKLM:",
	"HKEY_CURRENT_CONFIG", "HKCC:", "HKEY_CURRENT_USER", "HKCU:",
}

// action checks a step's action and its inputs.
func (c *checker) action(name string, action, inputs entry, hasInputs bool, stepNode ast.Node, path string) {
	m, ok := modules[name]
	if !ok {
		msg := fmt.Sprintf("unknown action %q", name)
		if s := suggest(name, moduleNames); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		} else {
			msg += "; AWSTOE's action modules are " + strings.Join(moduleNames, ", ")
		}
		c.report(orAt(action.value, action.keyAt), join(path, "action"), "%s", msg)
		return
	}
	ipath := join(path, "inputs")
	if !hasInputs || inputs.value == nil {
		if !m.inputsOptional {
			at := stepNode
			if hasInputs {
				at = inputs.keyAt
			}
			if len(m.fields) == 0 {
				c.report(at, ipath, "%s needs inputs", name)
			} else {
				c.report(at, ipath, "%s needs inputs: %s", name, m.describeInputs())
			}
		}
		return
	}
	switch m.shape {
	case object:
		es, ok := c.mapping(inputs.value, inputs.keyAt, ipath, "a mapping "+m.describeInputs()+" ("+name+")")
		if ok {
			c.inputFields(name, m, inputs.value, es, ipath)
		}
	case list:
		items, ok := c.sequence(inputs.value, inputs.keyAt, ipath, "a list of "+m.describeInputs()+" entries ("+name+")")
		if !ok {
			return
		}
		if len(items) == 0 {
			c.report(inputs.value, ipath, "%s needs at least one entry", name)
		}
		for i, it := range items {
			p := index(ipath, i)
			if es, ok := c.mapping(it.value, it.at, p, "a mapping "+m.describeInputs()); ok {
				c.inputFields(name, m, it.value, es, p)
			}
		}
	}
}

// describeInputs is "{k1, k2, k3}" for messages.
func (m module) describeInputs() string {
	var names []string
	for _, f := range m.fields {
		names = append(names, f.name)
	}
	return "{" + strings.Join(names, ", ") + "}"
}

func (c *checker) inputFields(action string, m module, at ast.Node, es []entry, path string) {
	var allowed []string
	for _, f := range m.fields {
		allowed = append(allowed, f.name)
	}
	c.checkKeys(es, path, allowed)
	for _, f := range m.fields {
		e, ok := lookup(es, f.name)
		if !ok {
			if f.required {
				c.report(at, path, "%s needs %q", action, f.name)
			}
			continue
		}
		c.inputValue(f, e, join(path, f.name))
	}
	for _, group := range m.exactlyOne {
		n := 0
		for _, k := range group {
			if hasKey(es, k) {
				n++
			}
		}
		if n != 1 {
			c.report(at, path, "%s needs exactly one of %s", action, joinWords(group))
		}
	}
	for _, group := range m.together {
		n := 0
		for _, k := range group {
			if hasKey(es, k) {
				n++
			}
		}
		if n != 0 && n != len(group) {
			c.report(at, path, "%s: %s go together", action, joinWords(group))
		}
	}
	if action == "SetRegistry" {
		if e, ok := lookup(es, "path"); ok {
			if s, ok := scalar(e.value); ok && !hasReference(s) && !slices.ContainsFunc(registryRoots, func(r string) bool {
				return strings.HasPrefix(strings.ToUpper(s), r)
			}) {
				c.report(e.value, join(path, "path"), "registry path %q must start with a hive: HKEY_LOCAL_MACHINE or HKLM:, HKEY_CURRENT_USER or HKCU:, HKEY_USERS or HKU:, HKEY_CLASSES_ROOT or HKCR:, HKEY_CURRENT_CONFIG or HKCC:", s)
			}
		}
	}
}

// inputValue checks one input's type. A string holding a {{ reference }}
// stands for any type: AWSTOE substitutes it before the module reads it.
func (c *checker) inputValue(f field, e entry, path string) {
	v := e.value
	if s, ok := v.(*ast.StringNode); ok && hasReference(s.Value) {
		return
	}
	at := orAt(v, e.keyAt)
	switch f.kind {
	case str:
		s, ok := scalar(v)
		if !ok {
			c.report(at, path, "must be a string, found %s", describe(v))
			return
		}
		if f.oneOf != nil && !slices.ContainsFunc(f.oneOf, func(o string) bool { return strings.EqualFold(o, s) }) {
			c.report(at, path, "must be one of %s; found %q", strings.Join(f.oneOf, ", "), s)
		}
	case strList:
		items, ok := c.sequence(v, e.keyAt, path, "a list of strings")
		if !ok {
			return
		}
		for i, it := range items {
			if _, ok := scalar(it.value); !ok {
				c.report(orAt(it.value, it.at), index(path, i), "must be a string, found %s", describe(it.value))
			}
		}
	case boolean:
		if _, ok := v.(*ast.BoolNode); !ok {
			c.report(at, path, "must be true or false, found %s", describe(v))
		}
	case integer:
		if n, ok := intValue(v); !ok || n < 0 {
			c.report(at, path, "must be a whole number of at least 0, found %s", describe(v))
		}
	case anything:
		if v == nil {
			c.report(at, path, "needs a value")
		}
	}
}
