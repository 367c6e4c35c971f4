package cmdutil

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/winami/winami/internal/cli/output"
)

func TestCheckFormat(t *testing.T) {
	cmd := &cobra.Command{Use: "policy"}
	SupportsFormats(cmd, output.JSON, output.YAML)
	if err := CheckFormat(cmd, output.YAML, true); err != nil {
		t.Errorf("yaml: %v", err)
	}
	if err := CheckFormat(cmd, output.Table, false); err != nil {
		t.Errorf("the default table: %v", err)
	}
	err := CheckFormat(cmd, output.Text, true)
	if err == nil || err.Error() != "policy has no -o text output: use -o json or yaml" {
		t.Errorf("text: %v", err)
	}
	if err := CheckFormat(&cobra.Command{Use: "any"}, output.Text, true); err != nil {
		t.Errorf("a command that declares nothing takes every format: %v", err)
	}
}

func TestCheckFlagNeeds(t *testing.T) {
	newCmd := func(args ...string) *cobra.Command {
		cmd := &cobra.Command{Use: "drift"}
		cmd.Flags().Bool("watch", false, "")
		cmd.Flags().Duration("interval", 0, "")
		NeedsFlag(cmd.Flags(), "interval", "watch")
		if err := cmd.ParseFlags(args); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	for _, args := range [][]string{nil, {"--watch"}, {"--watch", "--interval", "1m"}} {
		if err := CheckFlagNeeds(newCmd(args...)); err != nil {
			t.Errorf("%v: %v", args, err)
		}
	}
	err := CheckFlagNeeds(newCmd("--interval", "1m"))
	if err == nil || err.Error() != "--interval has an effect only with --watch: add --watch or leave --interval out" {
		t.Errorf("--interval alone: %v", err)
	}
}

func TestSubcommandArgs(t *testing.T) {
	root := &cobra.Command{Use: "winami"}
	group := &cobra.Command{Use: "ami", SuggestionsMinimumDistance: 2}
	root.AddCommand(group)
	for _, name := range []string{"latest", "list", "resolve"} {
		group.AddCommand(&cobra.Command{Use: name, Run: func(*cobra.Command, []string) {}})
	}
	if err := SubcommandArgs(group, nil); err != nil {
		t.Errorf("no argument: %v", err)
	}
	err := SubcommandArgs(group, []string{"lates"})
	if err == nil || !strings.HasSuffix(err.Error(), `unknown command "lates" for "winami ami"; did you mean latest?`) {
		t.Errorf("lates: %v", err)
	}
	err = SubcommandArgs(group, []string{"resolv"})
	if err == nil || !strings.Contains(err.Error(), "did you mean resolve?") {
		t.Errorf("resolv: %v", err)
	}
	err = SubcommandArgs(group, []string{"zzz"})
	if err == nil || strings.Contains(err.Error(), "did you mean") {
		t.Errorf("zzz: %v", err)
	}
}
