package ami

import (
	"fmt"
	"strings"

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/pkg/eksami"
)

// dateForms names every form a date flag accepts, for error messages.
const dateForms = "YYYY-MM-DD (e.g. 2026-10-14), YYYY.MM.DD as in AMI names (2026.10.14), " +
	"a release version (1.35-2026.10.14) or an AMI name (Windows_Server-2022-English-Core-EKS_Optimized-1.35-2026.10.14)"

// series is what the --windows, --edition and --kubernetes flags say,
// canonical; "" for a flag not given.
type series struct{ windows, edition, kubernetes string }

// seriesOf reads the flags given, leaving the checks of each value to the
// command (ami list passes them on as they are).
func seriesOf(k keyFlags) series {
	var s series
	if k.windows != "" {
		s.windows, _ = eksami.ParseWindows(k.windows)
	}
	if k.edition != "" {
		s.edition, _ = eksami.ParseEdition(k.edition)
	}
	if k.kubernetes != "" {
		s.kubernetes, _ = eksami.ParseKubernetes(k.kubernetes)
	}
	return s
}

// parseDateFlag reads a date flag in any of the dateForms. A release
// version or an AMI name says more than a date (the Kubernetes version; for
// a name also the Windows version and edition): what it says must agree
// with the flags that say the same, or one of the two would be ignored.
func parseDateFlag(flag, value string, want series) (*eksami.Date, error) {
	v := strings.TrimSpace(value)
	if v == "" {
		return nil, nil
	}
	if strings.HasPrefix(v, "Windows_Server-") {
		key, d, err := eksami.ParseAMIName(v)
		if err != nil {
			return nil, cmdutil.Usagef("%s: %v", flag, err)
		}
		if err := agree(flag, v, series{key.Windows, key.Edition, key.Kubernetes}, want); err != nil {
			return nil, err
		}
		return &d, nil
	}
	// A release version "1.35-2026.10.14": the part before the last '-' is a
	// Kubernetes version (a YYYY-MM-DD date has no '.' before its last '-').
	if i := strings.LastIndexByte(v, '-'); i >= 0 && strings.Contains(v[:i], ".") {
		kube, err := eksami.ParseKubernetes(v[:i])
		if err != nil {
			return nil, cmdutil.Usagef("%s %q: %v; give %s", flag, value, err, dateForms)
		}
		if err := agree(flag, v, series{kubernetes: kube}, want); err != nil {
			return nil, err
		}
		v = v[i+1:]
	}
	d, err := eksami.ParseDate(v)
	if err != nil {
		return nil, cmdutil.Usagef("%s %q is not a date: give %s", flag, value, dateForms)
	}
	return &d, nil
}

// agree refuses a date flag whose release version or AMI name says another
// series than the flags given, naming each disagreement.
func agree(flag, value string, got, want series) error {
	var says, flags []string
	check := func(name, what, got, want string) {
		if got != "" && want != "" && got != want {
			says = append(says, what+" "+got)
			flags = append(flags, fmt.Sprintf("--%s says %s", name, want))
		}
	}
	check("windows", "Windows Server", got.windows, want.windows)
	check("edition", "edition", got.edition, want.edition)
	check("kubernetes", "Kubernetes", got.kubernetes, want.kubernetes)
	if len(says) == 0 {
		return nil
	}
	return cmdutil.Usagef("%s %s is for %s, but %s: correct one of them, or give %s only the date",
		flag, value, strings.Join(says, ", "), strings.Join(flags, " and "), flag)
}
