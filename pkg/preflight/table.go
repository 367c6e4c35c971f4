package preflight

import (
	"fmt"
	"io"
	"strings"
)

// WriteTable prints a report for people: STATUS CHECK DETAIL aligned, and
// each failure's and warning's fix, indented, under its line (a tabwriter
// would realign the columns after every fix). `winami preflight` prints
// its report with it, and apply and build the checks that did not pass.
func WriteTable(w io.Writer, rep Report) {
	header := []string{"STATUS", "CHECK", "DETAIL"}
	widths := []int{len(header[0]), len(header[1])}
	for _, c := range rep.Checks {
		widths[0] = max(widths[0], len(c.Status))
		widths[1] = max(widths[1], len(c.Title))
	}
	line := func(status, check, detail string) {
		fmt.Fprintf(w, "%-*s   %-*s   %s\n", widths[0], status, widths[1], check, detail)
	}
	line(header[0], header[1], header[2])
	for _, c := range rep.Checks {
		detail := c.Detail
		if c.Method != "" {
			detail += " [" + string(c.Method) + "]"
		}
		line(string(c.Status), c.Title, detail)
		if c.Fix != "" && c.Status != Pass {
			pad := strings.Repeat(" ", widths[0]+3)
			fmt.Fprintf(w, "%sfix: %s\n", pad, strings.ReplaceAll(c.Fix, "\n", "\n"+pad+"     "))
		}
	}
}
