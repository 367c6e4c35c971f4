package pipeline

import (
	"fmt"

	"github.com/winami/winami/pkg/component"
)

// assertOSBuildDocument is the AWSTOE document of the generated component
// that fails a build whose instance is not Windows build want (e.g.
// "10.0.20348.2849"). The spec has already checked want's form; it is still
// quoted as a PowerShell literal (component.PSQuote), since it ends up in a script.
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
`, want, component.PSQuote(want))
}
