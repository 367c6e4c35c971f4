package cmdutil

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/winami/winami/internal/cli/output"
)

// Annotation keys: commands and flags declare what they support, and the
// root command checks every invocation against it before anything runs, so
// no flag is silently ignored.
const (
	formatsAnnotation = "winami/formats"
	needsAnnotation   = "winami/needs"
)

// SupportsFormats declares the -o formats cmd renders; any other one given
// with -o is refused. A command that declares none supports them all but
// html.
func SupportsFormats(cmd *cobra.Command, formats ...output.Format) {
	names := make([]string, len(formats))
	for i, f := range formats {
		names[i] = string(f)
	}
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[formatsAnnotation] = strings.Join(names, ",")
}

// CheckFormat refuses a -o format that cmd does not render. given says
// whether -o was on the command line: the default (table) is each
// command's own default view and always fine.
func CheckFormat(cmd *cobra.Command, f output.Format, given bool) error {
	list, ok := cmd.Annotations[formatsAnnotation]
	if !given || (!ok && f != output.HTML) {
		return nil
	}
	if !ok {
		// A page is not a view every command has: only those declaring it.
		list = strings.Join([]string{string(output.Table), string(output.JSON), string(output.YAML), string(output.Text)}, ",")
	}
	supported := strings.Split(list, ",")
	for _, s := range supported {
		if s == string(f) {
			return nil
		}
	}
	list = supported[0]
	if n := len(supported); n > 1 {
		list = strings.Join(supported[:n-1], ", ") + " or " + supported[n-1]
	}
	return Usagef("%s has no -o %s output: use -o %s", cmd.CommandPath(), f, list)
}

// NeedsFlag declares that flag only has an effect together with one of
// others (e.g. --interval with --watch); given alone it is refused.
func NeedsFlag(flags *pflag.FlagSet, flag string, others ...string) {
	_ = flags.SetAnnotation(flag, needsAnnotation, others)
}

// CheckFlagNeeds refuses a flag given without a flag it needs, naming both.
func CheckFlagNeeds(cmd *cobra.Command) error {
	var err error
	cmd.Flags().Visit(func(f *pflag.Flag) {
		needs := f.Annotations[needsAnnotation]
		if err != nil || len(needs) == 0 {
			return
		}
		for _, n := range needs {
			if cmd.Flags().Changed(n) {
				return
			}
		}
		err = Usagef("--%s has an effect only with --%s: add --%s or leave --%s out",
			f.Name, strings.Join(needs, " or --"), needs[0], f.Name)
	})
	return err
}

// SubcommandArgs is the Args of a command that only groups subcommands:
// it refuses any argument as an unknown subcommand, with "did you mean"
// suggestions (cobra suggests only for the root command's children).
func SubcommandArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += "; did you mean " + strings.Join(s, " or ") + "?"
	}
	return Usagef("%s", msg)
}
