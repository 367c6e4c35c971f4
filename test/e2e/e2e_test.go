// Package e2e runs the winami command against the sandbox, as a user would:
// each testdata/*.txtar file is a script of winami invocations and the
// output, stderr and exit codes they must give.
package e2e

import (
	"context"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/winami/winami/cmd/winami/sandboxcmd"
	"github.com/winami/winami/internal/cli"
	"github.com/winami/winami/internal/cli/cmdutil"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		// The test binary re-executes itself as winami, so scripts run the
		// real command line, flags, exit codes and streams included.
		"winami": func() {
			refuseDNS()
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			code := cli.Execute(ctx, sandboxcmd.NewApp(cmdutil.SystemStreams()), os.Args[1:])
			stop()
			os.Exit(code)
		},
	})
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata",
		Setup: func(env *testscript.Env) error {
			// Keep the developer's AWS settings out of the scripts.
			home := env.WorkDir + "/home"
			env.Setenv("HOME", home)
			env.Setenv("AWS_CONFIG_FILE", home+"/.aws/config")
			env.Setenv("AWS_SHARED_CREDENTIALS_FILE", home+"/.aws/credentials")
			// testscript passes no AWS_* variable through from the
			// developer's environment; scripts set what they need. Tests
			// talk only to loopback, so IMDS (169.254.169.254) is off.
			env.Setenv("AWS_EC2_METADATA_DISABLED", "true")
			// $REPO is the repository, for scripts that run its examples as
			// a user would (cp $REPO/examples/... first).
			repo, err := filepath.Abs("../..")
			if err != nil {
				return err
			}
			env.Setenv("REPO", repo)
			return nil
		},
		Cmds: scriptCommands(),
	})
}
