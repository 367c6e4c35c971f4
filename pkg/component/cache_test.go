package component

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/winami/winami/pkg/imageref"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/cache")

func mustRefs(t *testing.T, refs ...string) []imageref.Ref {
	t.Helper()
	out := make([]imageref.Ref, len(refs))
	for i, s := range refs {
		r, err := imageref.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = r
	}
	return out
}

const (
	publicRef = "mcr.microsoft.com/windows/servercore:ltsc2022"
	ecrRef    = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:1.4.2@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	ecrRef2   = "210987654321.dkr.ecr.us-east-1.amazonaws.com/tools:latest"
	pinA      = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	pinB      = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
)

// cacheCases are the golden documents: both runtimes, with and without
// pin and verify, public and ECR images.
func cacheCases(t *testing.T) map[string]CacheOptions {
	return map[string]CacheOptions{
		"containerd-public": {Images: mustRefs(t, publicRef)},
		"containerd-ecr-pin-verify": {
			Images: mustRefs(t, publicRef, ecrRef, ecrRef2, "public.ecr.aws/eks-distro/kubernetes/pause:3.9", ecrRef),
			Pin:    true, Verify: true, ParallelPulls: 2, Runtime: RuntimeContainerd,
		},
		"containerd-verify": {Images: mustRefs(t, publicRef, "docker.io/library/busybox:1.36"), Verify: true},
		"docker-public":     {Images: mustRefs(t, publicRef), Runtime: RuntimeDocker},
		"docker-ecr-verify": {Images: mustRefs(t, ecrRef, publicRef), Verify: true, ParallelPulls: 1, Runtime: RuntimeDocker},
		"containerd-digests": {
			Images:  mustRefs(t, publicRef, ecrRef2, "mcr.microsoft.com/windows/nanoserver@sha256:"+strings.Repeat("cd", 32)),
			Digests: map[string]string{publicRef: pinA, ecrRef2: pinB},
			Pin:     true, Verify: true,
		},
		"docker-digests": {Images: mustRefs(t, publicRef), Digests: map[string]string{publicRef: pinA}, Verify: true, Runtime: RuntimeDocker},
	}
}

func TestCacheDocumentGolden(t *testing.T) {
	for name, o := range cacheCases(t) {
		t.Run(name, func(t *testing.T) {
			doc, err := CacheDocument("winami-cache", o)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "cache", name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if doc != string(want) {
				t.Errorf("%s differs from the rendered document (go test -update rewrites it):\n%s", path, doc)
			}
		})
	}
}

func TestCacheDocumentValidates(t *testing.T) {
	for name, o := range cacheCases(t) {
		doc, err := CacheDocument("winami-cache", o)
		if err != nil {
			t.Fatal(err)
		}
		if ps := Validate([]byte(doc)); len(ps) > 0 {
			t.Errorf("%s: %v", name, problemStrings(ps))
		}
	}
}

func TestCacheDocumentContent(t *testing.T) {
	cases := cacheCases(t)
	render := func(name string) string {
		doc, err := CacheDocument("winami-cache", cases[name])
		if err != nil {
			t.Fatal(err)
		}
		return doc
	}
	full := render("containerd-ecr-pin-verify")
	ecrTagged, ecrDigest, _ := strings.Cut(ecrRef, "@")
	ecrByDigest := strings.Split(ecrTagged, ":1.4.2")[0] + "@" + ecrDigest
	for _, want := range []string{
		`$ctr = "$env:ProgramFiles\containerd\ctr.exe"`,
		`& $ctr -n k8s.io images pull --user "AWS:$Password" $Pull`,
		`& $ctr -n k8s.io images tag --force $Pull $Ref`,
		`& $ctr -n k8s.io images label $name io.cri-containerd.pinned=pinned`,
		`@{ Registry = '123456789012.dkr.ecr.eu-west-1.amazonaws.com'; Account = '123456789012'; Region = 'eu-west-1' }`,
		`@{ Registry = '210987654321.dkr.ecr.us-east-1.amazonaws.com'; Account = '210987654321'; Region = 'us-east-1' }`,
		`Get-ECRAuthorizationToken -Region $r.Region -RegistryId $r.Account`,
		"@{ Ref = '" + ecrTagged + "'; Pull = '" + ecrByDigest + "'; Registry = '123456789012.dkr.ecr.eu-west-1.amazonaws.com' }",
		"@{ Ref = '" + publicRef + "'; Pull = '" + publicRef + "'; Registry = '' }",
		"$maxParallel = 2",
		"- name: validate",
		"& $ctr -n k8s.io images ls",
		"@{ Ref = '" + ecrTagged + "'; Pull = '" + ecrByDigest + "'; Digest = '" + ecrDigest + "' }",
	} {
		if !strings.Contains(full, want) {
			t.Errorf("the document lacks %s", want)
		}
	}
	// Each reference literal reads back, by the PowerShell reader, as
	// exactly the reference: in the pull table, then in the verify table.
	read := readLiterals(t, full, "Pull = ")
	pulls := []string{publicRef, ecrByDigest, ecrRef2, "public.ecr.aws/eks-distro/kubernetes/pause:3.9"}
	if want := append(pulls, pulls...); strings.Join(read, " ") != strings.Join(want, " ") {
		t.Errorf("the Pull literals read back as %q, want %q", read, want)
	}
	if n := strings.Count(full, "@{ Ref = '"+ecrTagged+"'; Pull"); n != 2 {
		t.Errorf("the duplicated image is pulled %d times", n)
	}
	if strings.Contains(render("containerd-public"), "- name: validate") {
		t.Error("a document without verify has a validate phase")
	}
	docker := render("docker-ecr-verify")
	for _, want := range []string{"docker login --username AWS --password-stdin $r.Registry", "docker logout $r.Registry", "& docker pull $Pull", "& docker tag $Pull $Ref", "& docker image inspect $e.Ref"} {
		if !strings.Contains(docker, want) {
			t.Errorf("the docker document lacks %s", want)
		}
	}
}

// TestCacheDocumentPolicy checks what must hold for every document: no
// machine-wide execution policy, no AWSTOE {{ }} expansion of script text,
// and the ECR token never logged.
func TestCacheDocumentPolicy(t *testing.T) {
	secret := regexp.MustCompile(`(?i)\$(token|password|passwords)\b`)
	logging := regexp.MustCompile(`(?i)\b(Write-(Output|Host|Verbose|Information|Warning|Error|Debug)|echo|Out-(Host|File|String)|Tee-Object|Add-Content|Set-Content|throw|Start-Transcript)\b`)
	for name, o := range cacheCases(t) {
		doc, err := CacheDocument("winami-cache", o)
		if err != nil {
			t.Fatal(err)
		}
		for _, banned := range []string{"Set-ExecutionPolicy", "-Verbose", "Set-PSDebug", "Start-Transcript", "{{", "\t"} {
			if strings.Contains(doc, banned) {
				t.Errorf("%s: the document contains %q", name, banned)
			}
		}
		for i, line := range strings.Split(doc, "\n") {
			if !secret.MatchString(line) {
				continue
			}
			if logging.MatchString(line) {
				t.Errorf("%s:%d: a secret reaches a logging command: %s", name, i+1, strings.TrimSpace(line))
			}
			// In a double-quoted string the variable would be expanded;
			// the only such string is ctr's --user argument.
			for _, q := range regexp.MustCompile(`"[^"]*"`).FindAllString(line, -1) {
				if secret.MatchString(q) && q != `"AWS:$Password"` {
					t.Errorf("%s:%d: a secret is interpolated into %s", name, i+1, q)
				}
			}
		}
	}
}

// The policy check must catch what it is there to catch.
func TestCacheDocumentPolicyCatchesLeaks(t *testing.T) {
	logging := regexp.MustCompile(`(?i)\b(Write-(Output|Host|Verbose|Information|Warning|Error|Debug)|echo|Out-(Host|File|String)|Tee-Object|Add-Content|Set-Content|throw|Start-Transcript)\b`)
	for _, leak := range []string{`Write-Output "token: $token"`, `write-host $Password`, `throw $password`} {
		if !logging.MatchString(leak) {
			t.Errorf("%s is not caught", leak)
		}
	}
}

func TestCacheDocumentErrors(t *testing.T) {
	good := mustRefs(t, publicRef)
	cases := []struct {
		name    string
		o       CacheOptions
		mention string
	}{
		{"winami-cache", CacheOptions{}, "no images"},
		{"bad name;", CacheOptions{Images: good}, `component name "bad name;"`},
		{"winami-cache", CacheOptions{Images: good, Runtime: "cri-o"}, `runtime "cri-o"`},
		{"winami-cache", CacheOptions{Images: good, Runtime: RuntimeDocker, Pin: true}, "pin needs containerd"},
		{"winami-cache", CacheOptions{Images: good, ParallelPulls: -1}, "parallelPulls -1"},
		{"winami-cache", CacheOptions{Images: good, ParallelPulls: 17}, "parallelPulls 17"},
		{"winami-cache", CacheOptions{Images: []imageref.Ref{{Registry: "mcr.microsoft.com", Repository: "r", Tag: "x'; calc; '"}}}, `images[0]: "mcr.microsoft.com/r:x'; calc; '"`},
		{"winami-cache", CacheOptions{Images: []imageref.Ref{{Registry: "mcr.microsoft.com", Repository: "r:1", Tag: ""}}}, "images[0]"},
		{"winami-cache", CacheOptions{Images: []imageref.Ref{{Registry: "mcr.microsoft.com/a", Repository: "b"}}}, "does not read back"},
	}
	for _, c := range cases {
		_, err := CacheDocument(c.name, c.o)
		if err == nil || !strings.Contains(err.Error(), c.mention) {
			t.Errorf("CacheDocument(%q, %+v) = %v; want an error mentioning %q", c.name, c.o, err, c.mention)
		}
	}
}

// FuzzCacheDocument: any reference imageref accepts renders into a
// document that validates, whose Ref literal reads back as the reference.
func FuzzCacheDocument(f *testing.F) {
	for _, s := range []string{publicRef, ecrRef, ecrRef2, "[::1]:5000/a__b/c-d:T_x", "localhost/r@sha256:" + strings.Repeat("ab", 32)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := imageref.Parse(s)
		if err != nil {
			return
		}
		doc, err := CacheDocument("winami-cache", CacheOptions{Images: []imageref.Ref{r}, Pin: true, Verify: true})
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if ps := Validate([]byte(doc)); len(ps) > 0 {
			t.Fatalf("%q: %v", s, problemStrings(ps))
		}
		// A reference with tag and digest is pulled by digest and named
		// by tag: the two literals together are the input.
		wantRef, wantPull := s, s
		if r.Tag != "" && r.Digest != "" {
			wantRef, wantPull = r.Name()+":"+r.Tag, r.Name()+"@"+r.Digest
		}
		for key, want := range map[string]string{"Ref = ": wantRef, "Pull = ": wantPull} {
			i := strings.Index(doc, key)
			v, _, err := readPSLiteral(doc[i+len(key):])
			if err != nil || v != want {
				t.Fatalf("%q: %s%q, %v; want %q", s, key, v, err, want)
			}
		}
	})
}

// readLiterals reads, by the PowerShell reader, every literal that follows
// key in doc.
func readLiterals(t *testing.T, doc, key string) []string {
	t.Helper()
	var read []string
	for rest := doc; ; {
		i := strings.Index(rest, key)
		if i < 0 {
			return read
		}
		v, n, err := readPSLiteral(rest[i+len(key):])
		if err != nil {
			t.Fatalf("a %s literal does not read back: %v", key, err)
		}
		read = append(read, v)
		rest = rest[i+len(key)+n:]
	}
}

// A pinned image is pulled by digest and named by its reference; a
// reference that names its own digest cannot be pinned to another.
func TestCacheDocumentDigests(t *testing.T) {
	doc, err := CacheDocument("winami-cache", cacheCases(t)["containerd-digests"])
	if err != nil {
		t.Fatal(err)
	}
	name := "mcr.microsoft.com/windows/servercore"
	nano := "mcr.microsoft.com/windows/nanoserver@sha256:" + strings.Repeat("cd", 32)
	if got, want := readLiterals(t, doc, "Pull = "), []string{name + "@" + pinA, "210987654321.dkr.ecr.us-east-1.amazonaws.com/tools@" + pinB, nano}; strings.Join(got[:3], " ") != strings.Join(want, " ") {
		t.Errorf("pulls %q, want %q", got[:3], want)
	}
	if got, want := readLiterals(t, doc, "Ref = "), []string{publicRef, ecrRef2, nano}; strings.Join(got[:3], " ") != strings.Join(want, " ") {
		t.Errorf("names %q, want %q", got[:3], want)
	}
	if got := readLiterals(t, doc, "Digest = "); strings.Join(got, " ") != pinA+" "+pinB+" sha256:"+strings.Repeat("cd", 32) {
		t.Errorf("verifies digests %q", got)
	}
	_, err = CacheDocument("winami-cache", CacheOptions{Images: mustRefs(t, ecrRef), Digests: map[string]string{ecrRef: pinA}})
	if err == nil || !strings.Contains(err.Error(), "names its own digest") {
		t.Errorf("a conflicting pin: %v", err)
	}
	_, err = CacheDocument("winami-cache", CacheOptions{Images: mustRefs(t, publicRef), Digests: map[string]string{publicRef: "sha256:'; calc; '"}})
	if err == nil || !strings.Contains(err.Error(), "pinned digest") {
		t.Errorf("a hostile pin: %v", err)
	}
}
