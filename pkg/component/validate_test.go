package component

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func problemStrings(ps []Problem) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, p.String())
	}
	return out
}

func TestValidDocuments(t *testing.T) {
	files, err := filepath.Glob("testdata/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 3 {
		t.Fatalf("only %d valid documents in testdata", len(files))
	}
	for _, f := range files {
		doc, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if ps := Validate(doc); len(ps) != 0 {
			t.Errorf("%s:\n%s", f, strings.Join(problemStrings(ps), "\n"))
		}
	}
}

// minimal is the smallest valid document; the cases below break it.
const minimal = `schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Hello
        action: ExecutePowerShell
        inputs:
          commands:
            - Write-Host hello
`

func TestMinimalDocumentIsValid(t *testing.T) {
	if ps := Validate([]byte(minimal)); len(ps) != 0 {
		t.Fatalf("problems: %v", problemStrings(ps))
	}
}

func TestInvalidDocuments(t *testing.T) {
	cases := []struct {
		name string
		doc  string
		want []string
	}{
		{"empty", "", []string{
			"the document is empty; a component needs schemaVersion and phases",
		}},
		{"not a mapping", "- build\n", []string{
			"1:1: must be a mapping of name, description, schemaVersion, parameters, constants and phases, found a list",
		}},
		{"YAML syntax", "schemaVersion: 1.0\nphases: [\n", []string{
			"2:9: invalid YAML: sequence end token ']' not found",
		}},
		{"unquoted reference", strings.Replace(minimal, "- Write-Host hello", "- {{ Greeting }}", 1), []string{
			"9:16: invalid YAML: could not find flow map content; a value holding a {{ reference }} must be quoted, e.g. '{{ Name }}'",
		}},
		{"schema version", strings.Replace(minimal, "1.0", "2.0", 1), []string{
			"1:16: schemaVersion: must be 1.0, found the number 2.0",
		}},
		{"missing schema version and phases", "name: x\n", []string{
			`1:1: missing required key "schemaVersion" (AWSTOE documents are schemaVersion: 1.0)`,
			`1:1: missing required key "phases"`,
		}},
		{"unknown top-level key", "Name: x\n" + minimal, []string{
			`1:1: Name: unknown key "Name"; did you mean "name"?`,
		}},
		{"no phases", "schemaVersion: 1.0\nphases: []\n", []string{
			"2:9: phases: must list at least one phase (build, validate or test)",
		}},
		{"phase name and duplicate", minimal + "  - name: install\n    steps: []\n  - name: build\n    steps:\n      - name: Hello\n        action: Reboot\n", []string{
			`10:11: phases[1].name: phase "install" is not one Image Builder runs: build, validate or test`,
			"11:12: phases[1].steps: must list at least one step",
			`12:11: phases[2].name: phase "build" is already defined at 3:11; each phase appears once`,
		}},
		{"duplicate step in a phase", minimal + "      - name: Hello\n        action: Reboot\n", []string{
			`10:15: phases[0].steps[1].name: step "Hello" is already defined at 5:15; step names must be unique within a phase`,
		}},
		{"unknown action", strings.Replace(minimal, "ExecutePowerShell", "RunPowerShell", 1), []string{
			`6:17: phases[0].steps[0].action: unknown action "RunPowerShell"; did you mean "ExecutePowerShell"?`,
		}},
		{"missing action and unknown step key", `schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Hello
        timeout: 60
`, []string{
			`5:9: phases[0].steps[0]: missing required key "action"`,
			`6:9: phases[0].steps[0].timeout: unknown key "timeout"; allowed: name, action, timeoutSeconds, onFailure, maxAttempts, inputs, loop, if`,
		}},
		{"PowerShell needs commands or file", strings.Replace(minimal, "commands:\n            - Write-Host hello", "command: Write-Host hello", 1), []string{
			`8:11: phases[0].steps[0].inputs.command: unknown key "command"; did you mean "commands"?`,
			`8:11: phases[0].steps[0].inputs: ExecutePowerShell needs exactly one of commands and file`,
		}},
		{"PowerShell commands and file", strings.Replace(minimal, "commands:", "file: C:\\x.ps1\n          commands:", 1), []string{
			`8:11: phases[0].steps[0].inputs: ExecutePowerShell needs exactly one of commands and file`,
		}},
		{"commands not a list", strings.Replace(minimal, "commands:\n            - Write-Host hello", "commands: Write-Host hello", 1), []string{
			`8:21: phases[0].steps[0].inputs.commands: must be a list of strings, found the string "Write-Host hello"`,
		}},
		{"S3Download inputs", `schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Get
        action: S3Download
        inputs:
          - source: s3://bucket/key
            destintation: C:\key
`, []string{
			`8:13: phases[0].steps[0].inputs[0]: S3Download needs "destination"`,
			`9:13: phases[0].steps[0].inputs[0].destintation: unknown key "destintation"; did you mean "destination"?`,
		}},
		{"step settings", `schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Hello
        action: Reboot
        onFailure: Retry
        timeoutSeconds: 0
        maxAttempts: 0
        inputs:
          delaySeconds: soon
`, []string{
			"7:20: phases[0].steps[0].onFailure: must be Abort, Continue or Ignore; found the string \"Retry\"",
			"8:25: phases[0].steps[0].timeoutSeconds: must be a whole number of seconds, at least 1, or -1 for no timeout; found the number 0",
			"9:22: phases[0].steps[0].maxAttempts: must be a whole number, at least 1; found the number 0",
			"11:25: phases[0].steps[0].inputs.delaySeconds: must be a whole number of at least 0, found the string \"soon\"",
		}},
		{"inputs missing", `schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Hello
        action: ExecuteBash
`, []string{
			"5:9: phases[0].steps[0].inputs: ExecuteBash needs inputs: {commands}",
		}},
		{"undeclared reference", strings.Replace(minimal, "Write-Host hello", "'Write-Host {{ greeting }}'", 1) + "parameters:\n  - Greeting:\n      type: string\n", []string{
			"9:15: phases[0].steps[0].inputs.commands[0]: {{ greeting }} names no parameter or constant; references are case-sensitive: did you mean {{ Greeting }}?",
		}},
		{"loop reference without a loop and bad chaining", strings.Replace(minimal, "Write-Host hello", "'{{ loop.value }} {{ build.Bye.outputs.stdout }} {{ deploy.Hello.outputs }}'", 1), []string{
			"9:15: phases[0].steps[0].inputs.commands[0]: {{ loop.value }} is used in a step without a loop; AWSTOE would leave it unresolved",
			`9:15: phases[0].steps[0].inputs.commands[0]: {{ build.Bye.outputs.stdout }} names no step "Bye" in phase "build"`,
			"9:15: phases[0].steps[0].inputs.commands[0]: {{ deploy.Hello.outputs }} names no parameter, constant, loop or phase",
		}},
		{"parameters", `schemaVersion: 1.0
parameters:
  - ab:
      type: int
  - Version:
      type: string
      default: [1]
  - Version:
      type: string
constants:
  - Path:
      type: string
phases: []
`, []string{
			`3:5: parameters[0].ab: parameter name "ab" must be 3 to 128 letters, digits, '-' or '_'`,
			"4:13: parameters[0].ab.type: must be string, the only type AWSTOE supports, found the string \"int\"",
			"7:16: parameters[1].Version.default: must be a string, found a list",
			`8:5: parameters[2].Version: "Version" is already declared at 5:5; parameter and constant names must be unique`,
			`12:7: constants[0].Path: missing required key "value"`,
			"13:9: phases: must list at least one phase (build, validate or test)",
		}},
		{"loops", `schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Count
        action: ExecutePowerShell
        loop:
          name: each
          for:
            start: 1
            end: 5
            updateBy: -1
        inputs:
          commands: ['echo {{ each.value }}']
      - name: Split
        action: ExecutePowerShell
        loop:
          name: each
          forEach:
            list: a;b
            delimiter: '|'
        inputs:
          commands: ['echo {{ loop.item }}']
      - name: Neither
        action: Reboot
        loop: {}
`, []string{
			"12:23: phases[0].steps[0].loop.for.updateBy: -1 never takes the loop from 1 to 5; AWSTOE rejects loops that do not end",
			`18:17: phases[0].steps[1].loop.name: loop "each" is already defined at 8:17; loop names must be unique within a phase`,
			"21:24: phases[0].steps[1].loop.forEach.delimiter: must be one character of . , ; : - _, space, tab or newline; found the string \"|\"",
			"23:22: phases[0].steps[1].inputs.commands[0]: {{ loop.item }} must be loop.index or loop.value",
			"26:15: phases[0].steps[2].loop: must have for or forEach",
		}},
		{"registry", `schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Reg
        action: SetRegistry
        inputs:
          - path: SOFTWARE\winami
            name: X
            value: 1
            type: REG_DWORD
`, []string{
			`8:19: phases[0].steps[0].inputs[0].path: registry path "SOFTWARE\\winami" must start with a hive: HKEY_LOCAL_MACHINE or HKLM:, HKEY_CURRENT_USER or HKCU:, HKEY_USERS or HKU:, HKEY_CLASSES_ROOT or HKCR:, HKEY_CURRENT_CONFIG or HKCC:`,
			`11:19: phases[0].steps[0].inputs[0].type: must be one of BINARY, DWORD, QWORD, SZ, EXPAND_SZ, MULTI_SZ; found "REG_DWORD"`,
		}},
		{"two documents", minimal + "---\n" + minimal, []string{
			"11:1: a component is one YAML document; found another (remove the --- separator)",
		}},
		{"unknown anchor", strings.Replace(minimal, "inputs:\n          commands:\n            - Write-Host hello", "inputs: *missing", 1), []string{
			"7:9: phases[0].steps[0].inputs: ExecutePowerShell needs inputs: {commands, file}",
			`7:17: unknown anchor "missing"`,
		}},
		{"self-referring anchor", "schemaVersion: 1.0\nphases: &p\n  - *p\n", []string{
			"3:5: alias *p is inside the anchor &p it refers to",
			"3:5: phases[0]: must be a mapping of name and steps, found nothing",
		}},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			got := problemStrings(Validate([]byte(tt.doc)))
			if !slices.Equal(got, tt.want) {
				t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestValidateFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(good, []byte(minimal), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte(strings.Replace(minimal, "1.0", "1.1", 1)+"extra: true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := ValidateFile(good); err != nil {
		t.Errorf("good document: %v", err)
	}
	err := ValidateFile(bad)
	want := bad + ":1:16: schemaVersion: must be 1.0, found the number 1.1\n" +
		bad + `:10:1: extra: unknown key "extra"; allowed: name, description, schemaVersion, parameters, constants, phases`
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	var fe *FileError
	if !errors.As(err, &fe) || len(fe.Problems) != 2 || fe.Path != bad {
		t.Errorf("FileError %+v", fe)
	}
	// A problem with no place is "file: message", not "file:message".
	empty := filepath.Join(dir, "empty.yaml")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := ValidateFile(empty); err == nil || !strings.HasPrefix(err.Error(), empty+": the document is empty") {
		t.Errorf("empty document: %v", err)
	}
	if err := ValidateFile(filepath.Join(dir, "missing.yaml")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

// Nested aliases that expand exponentially are cut off, not followed.
func TestAliasExpansionIsBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("schemaVersion: 1.0\nx0: &a0 ['{{ nope }}', '{{ nope }}']\n")
	for i := 1; i <= 30; i++ {
		fmt.Fprintf(&b, "x%d: &a%d [*a%d, *a%d]\n", i, i, i-1, i-1)
	}
	b.WriteString(`phases:
  - name: build
    steps:
      - name: Bomb
        action: ExecuteBash
        inputs:
          commands: *a30
`)
	done := make(chan []Problem, 1)
	go func() { done <- Validate([]byte(b.String())) }()
	select {
	case ps := <-done:
		if !slices.ContainsFunc(ps, func(p Problem) bool { return strings.Contains(p.Message, "aliases expand to more than 10000 nodes") }) {
			t.Errorf("no expansion limit among %d problems", len(ps))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("validation of nested aliases did not finish")
	}
}
