package awstoe

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
)

func (c *checker) step(v any, path string) {
	m, ok := v.(map[string]any)
	if !ok {
		c.fail(path, "must be a mapping with name, action and inputs")
		return
	}
	for k := range m {
		if !slices.Contains(stepKeys, k) {
			c.fail(path+"."+k, "unknown key of a step")
		}
	}
	action, _ := m["action"].(string)
	rule, known := modules[action]
	if !known {
		c.fail(path+".action", "%v is not an AWSTOE action module", m["action"])
	}
	if v, ok := m["onFailure"]; ok && !slices.Contains(failureActions, fmt.Sprint(v)) {
		c.fail(path+".onFailure", "must be one of %s", strings.Join(failureActions, ", "))
	}
	if v, ok := m["timeoutSeconds"]; ok {
		if n, isInt := integer(v); !isInt || (n != -1 && n < 1) {
			c.fail(path+".timeoutSeconds", "must be a positive number of seconds, or -1 for none")
		}
	}
	if v, ok := m["maxAttempts"]; ok {
		if n, isInt := integer(v); !isInt || n < 1 {
			c.fail(path+".maxAttempts", "must be a whole number of at least 1")
		}
	}
	loopName, hasLoop := "", false
	if l, ok := m["loop"]; ok {
		hasLoop = true
		loopName = c.loop(l, path+".loop")
	}
	if known {
		c.inputs(rule, m["inputs"], path+".inputs")
	}
	for _, k := range []string{"inputs", "loop", "if"} {
		c.references(m[k], path+"."+k, hasLoop, loopName)
	}
}

// integer reads a YAML integer.
func integer(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case uint64:
		if n > 1<<62 {
			return 0, false
		}
		return int64(n), true
	}
	return 0, false
}

// isReference is a string that is one {{ reference }}: AWSTOE substitutes it
// before the module reads the input, so it stands for a value of any type.
func isReference(v any) bool {
	s, ok := v.(string)
	return ok && strings.HasPrefix(strings.TrimSpace(s), "{{") && strings.HasSuffix(strings.TrimSpace(s), "}}")
}

func (c *checker) inputs(rule moduleRule, v any, path string) {
	if v == nil {
		if !rule.optionalInputs {
			c.fail(path, "the module needs inputs")
		}
		return
	}
	switch rule.shape {
	case present:
		return
	case mapping:
		m, ok := v.(map[string]any)
		if !ok {
			c.fail(path, "must be a mapping of the module's inputs")
			return
		}
		c.inputMapping(rule, m, path)
	case listOfMappings:
		list, ok := v.([]any)
		if !ok || len(list) == 0 {
			c.fail(path, "must be a list of the module's inputs, one mapping an item")
			return
		}
		for i, item := range list {
			m, ok := item.(map[string]any)
			if !ok {
				c.fail(fmt.Sprintf("%s[%d]", path, i), "must be a mapping of the module's inputs")
				continue
			}
			c.inputMapping(rule, m, fmt.Sprintf("%s[%d]", path, i))
		}
	}
}

func (c *checker) inputMapping(rule moduleRule, m map[string]any, path string) {
	for _, k := range rule.required {
		if m[k] == nil {
			c.fail(path+"."+k, "is required")
		}
	}
	if len(rule.oneOf) > 0 {
		n := 0
		for _, k := range rule.oneOf {
			if m[k] != nil {
				n++
			}
		}
		if n != 1 {
			c.fail(path, "give exactly one of %s", strings.Join(rule.oneOf, ", "))
		}
	}
	if len(rule.together) > 0 {
		n := 0
		for _, k := range rule.together {
			if m[k] != nil {
				n++
			}
		}
		if n != 0 && n != len(rule.together) {
			c.fail(path, "%s go together", strings.Join(rule.together, " and "))
		}
	}
	for _, k := range rule.lists {
		v, ok := m[k]
		if !ok || isReference(v) {
			continue
		}
		list, isList := v.([]any)
		if !isList {
			c.fail(path+"."+k, "must be a list of strings")
			continue
		}
		for i, item := range list {
			if _, isString := item.(string); !isString {
				c.fail(fmt.Sprintf("%s.%s[%d]", path, k, i), "must be a string")
			}
		}
	}
	for k, allowed := range rule.enums {
		v, ok := m[k]
		if !ok || isReference(v) {
			continue
		}
		s, _ := v.(string)
		if slices.Contains(rule.caseless, k) {
			s = strings.ToLower(s)
		}
		if !slices.Contains(allowed, s) {
			c.fail(path+"."+k, "must be one of %s", strings.Join(allowed, ", "))
		}
	}
}

// loop checks a looping construct and returns its name ("" when unnamed).
func (c *checker) loop(v any, path string) string {
	m, ok := v.(map[string]any)
	if !ok {
		c.fail(path, "must be a mapping with for or forEach")
		return ""
	}
	name, _ := m["name"].(string)
	for k := range m {
		if k != "name" && k != "for" && k != "forEach" {
			c.fail(path+"."+k, "unknown key of a loop")
		}
	}
	forV, hasFor := m["for"]
	each, hasEach := m["forEach"]
	switch {
	case hasFor == hasEach:
		c.fail(path, "give exactly one of for and forEach")
	case hasFor:
		c.forLoop(forV, path+".for")
	default:
		c.forEach(each, path+".forEach")
	}
	return name
}

func (c *checker) forLoop(v any, path string) {
	m, ok := v.(map[string]any)
	if !ok {
		c.fail(path, "must be a mapping of start, end and updateBy")
		return
	}
	var n [3]int64
	for i, k := range []string{"start", "end", "updateBy"} {
		x, isInt := integer(m[k])
		if !isInt {
			c.fail(path+"."+k, "must be a whole number")
			return
		}
		n[i] = x
	}
	start, end, by := n[0], n[1], n[2]
	switch {
	case by == 0:
		c.fail(path+".updateBy", "must not be 0")
	case end != start && (end > start) != (by > 0):
		c.fail(path, "the loop never reaches end: updateBy goes the other way")
	}
}

func (c *checker) forEach(v any, path string) {
	switch v := v.(type) {
	case []any:
		for i, item := range v {
			if _, ok := item.(string); !ok {
				c.fail(fmt.Sprintf("%s[%d]", path, i), "must be a string")
			}
		}
		if len(v) == 0 {
			c.fail(path, "must list at least one value")
		}
	case map[string]any:
		if _, ok := v["list"].(string); !ok {
			c.fail(path+".list", "must be a string of delimited values")
		}
		if d, ok := v["delimiter"]; ok {
			if s, _ := d.(string); len([]rune(s)) != 1 || !strings.Contains(".,;:\n\t -_", s) {
				c.fail(path+".delimiter", "must be one of . , ; : newline tab space - _")
			}
		}
	default:
		c.fail(path, "must be a list of strings or a mapping of list and delimiter")
	}
}

var referenceRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\{\{\s*(.*?)\s*\}\}`) })

// references checks every {{ reference }} in a step's values: a parameter
// or constant, the loop's index or value inside a loop, or an earlier
// step's inputs or outputs as phase.step.inputs/outputs.
func (c *checker) references(v any, path string, inLoop bool, loopName string) {
	c.visits++
	if c.visits > maxVisits {
		if c.visits == maxVisits+1 {
			c.fail(path, "the document expands to too many values (YAML aliases)")
		}
		return
	}
	switch v := v.(type) {
	case string:
		for _, m := range referenceRE().FindAllStringSubmatch(v, -1) {
			if why := c.reference(m[1], inLoop, loopName); why != "" {
				c.fail(path, "{{ %s }}: %s", m[1], why)
			}
		}
	case []any:
		for i, item := range v {
			c.references(item, fmt.Sprintf("%s[%d]", path, i), inLoop, loopName)
		}
	case map[string]any:
		for k, item := range v {
			c.references(item, path+"."+k, inLoop, loopName)
		}
	}
}

func (c *checker) reference(ref string, inLoop bool, loopName string) string {
	if c.vars[ref] {
		return ""
	}
	parts := strings.Split(ref, ".")
	if len(parts) == 2 && (parts[1] == "index" || parts[1] == "value") && (parts[0] == "loop" || (loopName != "" && parts[0] == loopName)) {
		if !inLoop {
			return "a loop variable outside a loop"
		}
		return ""
	}
	if len(parts) >= 3 {
		steps, phase := c.steps[parts[0]]
		field, _, _ := strings.Cut(parts[2], "[")
		if phase && steps[parts[1]] && (field == "inputs" || field == "outputs") {
			return ""
		}
		if phase {
			return "names no step's inputs or outputs of phase " + parts[0]
		}
	}
	return "names no parameter, constant, loop or step"
}
