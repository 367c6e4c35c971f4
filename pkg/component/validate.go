// Package component is AWSTOE component documents: parsing and validating
// them (schemaVersion, phases, steps, actions, inputs), generating the ones
// winami writes, and quoting values for PowerShell.
package component

// Problem is one thing wrong with a document, at a 1-based line and column
// (0 when the problem has no single place).
type Problem struct {
	Line, Column int
	// Path is the field path, e.g. "phases[0].steps[2].action".
	Path    string
	Message string
}

// Validate checks an AWSTOE document and returns every problem found, in
// document order; none means Image Builder and AWSTOE would accept it.
func Validate(doc []byte) []Problem {
	return nil
}
