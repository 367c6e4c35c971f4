package chart

import (
	"debug/buildinfo"
	"debug/elf"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

const dockerfilePath = "../../Dockerfile"

// instruction is one Dockerfile instruction, its continuation lines joined.
type instruction struct {
	cmd  string // upper case: FROM, RUN, USER, …
	args string
}

func readDockerfile(t *testing.T) []instruction {
	t.Helper()
	data, err := os.ReadFile(dockerfilePath)
	if err != nil {
		t.Fatal(err)
	}
	var out []instruction
	var cur strings.Builder
	for line := range strings.SplitSeq(string(data), "\n") {
		trimmed := strings.TrimSpace(line)
		if cur.Len() == 0 && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			continue
		}
		if s, ok := strings.CutSuffix(trimmed, "\\"); ok {
			cur.WriteString(s + " ")
			continue
		}
		cur.WriteString(trimmed)
		cmd, args, _ := strings.Cut(cur.String(), " ")
		out = append(out, instruction{cmd: strings.ToUpper(cmd), args: strings.TrimSpace(args)})
		cur.Reset()
	}
	return out
}

// The image runs winami as a static binary on a base without libc, as the
// non-root user the chart's and the manifest's securityContext name.
func TestDockerfile(t *testing.T) {
	ins := readDockerfile(t)
	var final []instruction // the last stage's instructions
	var build string        // the go build of the build stage
	for _, in := range ins {
		if in.cmd == "FROM" {
			final = nil
		}
		final = append(final, in)
		if in.cmd == "RUN" && strings.Contains(in.args, "go build") {
			build = in.args
		}
	}
	if len(final) == 0 {
		t.Fatal("no FROM")
	}
	base := strings.Fields(final[0].args)[0]
	if base != "scratch" && !strings.HasPrefix(base, "gcr.io/distroless/static") {
		t.Errorf("final stage FROM %s: want scratch or distroless/static (no libc, no shell)", base)
	}
	user, entry, port, command := "", "", "", ""
	for _, in := range final {
		switch in.cmd {
		case "USER":
			user = in.args
		case "ENTRYPOINT":
			entry = in.args
		case "EXPOSE":
			port = in.args
		case "CMD":
			command = in.args
		case "RUN":
			t.Errorf("RUN %s in the final stage: a static base has no shell", in.args)
		}
	}
	uid, _, _ := strings.Cut(user, ":")
	n, err := strconv.Atoi(uid)
	if err != nil || n == 0 {
		t.Errorf("USER %q: want a numeric non-root user, so that runAsNonRoot can check it", user)
	}
	// The chart's and the manifest's pods run as that user.
	values, err := os.ReadFile(filepath.Join(chartDir, "values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	manifest, err := os.ReadFile("../../deploy/winami-drift.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"values.yaml": values, "deploy/winami-drift.yaml": manifest} {
		if !strings.Contains(string(data), "runAsUser: "+uid+"\n") {
			t.Errorf("%s: runAsUser is not the image's user %s", name, uid)
		}
	}
	if port != "9464" {
		t.Errorf("EXPOSE %q, want the exporter's port 9464", port)
	}
	if !strings.HasPrefix(entry, `["`) {
		t.Errorf("ENTRYPOINT %s: want the exec form (no shell in the image)", entry)
	}
	// The default command is one winami takes: the exporter.
	var args []string
	if err := json.Unmarshal([]byte(command), &args); err != nil || len(args) < 2 || args[0] != "drift" || args[1] != "--watch" {
		t.Errorf("CMD %s: want the exec form of drift --watch …", command)
	} else {
		parseArgs(t, args)
	}
	if !strings.Contains(build, "CGO_ENABLED=0") || !strings.Contains(build, "./cmd/winami") {
		t.Errorf("RUN %s: want CGO_ENABLED=0 go build … ./cmd/winami", build)
	}
}

// The build stage's go build, run here with the same flags, makes a static
// binary that starts.
func TestDockerfileBuildIsStatic(t *testing.T) {
	build := ""
	for _, in := range readDockerfile(t) {
		if in.cmd == "RUN" && strings.Contains(in.args, "go build") {
			build = in.args
		}
	}
	dir := t.TempDir()
	// The image's output directory, here a temporary one.
	cmdline := strings.ReplaceAll(build, "/out/", dir+"/")
	cmd := exec.CommandContext(t.Context(), "sh", "-c", cmdline)
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), "TARGETOS=linux", "TARGETARCH="+runtime.GOARCH)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", cmdline, err, out)
	}
	bin := filepath.Join(dir, "winami")
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary asks for a dynamic loader: not static")
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("the binary needs %v: not static", libs)
	}
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	if settings["CGO_ENABLED"] != "0" || settings["GOOS"] != "linux" || !strings.Contains(settings["-ldflags"], "-s -w") {
		t.Errorf("build settings %v: want CGO_ENABLED=0, GOOS=linux, -ldflags -s -w", settings)
	}
	if out, err := exec.CommandContext(t.Context(), bin, "--version").CombinedOutput(); err != nil || !strings.Contains(string(out), "winami") {
		t.Errorf("winami --version: %v\n%s", err, out)
	}
}
