// Package e2e runs the winami command against the sandbox, as a user would:
// each testdata/*.txtar file is a script of winami invocations and the
// output, stderr and exit codes they must give.
package e2e

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/winami/winami/internal/cli"
	"github.com/winami/winami/internal/cli/cmdutil"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		// The test binary re-executes itself as winami, so scripts run the
		// real command line, flags, exit codes and streams included.
		"winami": func() {
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			code := cli.Execute(ctx, cmdutil.NewApp(cmdutil.SystemStreams()), os.Args[1:])
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
			env.Setenv("AWS_EC2_METADATA_DISABLED", "true")
			for _, k := range []string{"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_ENDPOINT_URL",
				"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"} {
				env.Setenv(k, "")
			}
			return nil
		},
		Cmds: scriptCommands(),
	})
}
