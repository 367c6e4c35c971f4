package pipeline

import (
	"fmt"
	"strings"
)

// assertOSBuildDocument is the AWSTOE document of the generated component
// that fails a build whose instance is not Windows build want (e.g.
// "10.0.20348.2849"). The spec has already checked want's form; it is still
// quoted as a PowerShell literal, since it ends up in a script.
func assertOSBuildDocument(want string) string {
	return fmt.Sprintf(`name: AssertOSBuild
description: Fails the build unless Windows is build %[1]s.
schemaVersion: 1.0
phases:
  - name: validate
    steps:
      - name: AssertOSBuild
        action: ExecutePowerShell
        inputs:
          commands:
            - |
              $expected = %[2]s
              $v = Get-ItemProperty 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion'
              $actual = '10.0.{0}.{1}' -f $v.CurrentBuildNumber, $v.UBR
              if ($actual -ne $expected) {
                Write-Error "Windows build is $actual, the spec asks for $expected"
                exit 1
              }
              Write-Output "Windows build $actual as expected"
`, want, psQuote(want))
}

// psQuote makes s a single-quoted PowerShell literal: nothing in it is
// expanded, and every quote inside is doubled, the typographic single
// quotes too, which PowerShell also takes as quotes.
func psQuote(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for _, r := range s {
		switch r {
		case '\'', '\u2018', '\u2019', '\u201a', '\u201b':
			b.WriteRune(r)
		}
		b.WriteRune(r)
	}
	b.WriteByte('\'')
	return b.String()
}
