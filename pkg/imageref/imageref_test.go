package imageref

import (
	"strings"
	"testing"
)

const (
	d256 = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	d512 = "sha512:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
)

func TestParseValid(t *testing.T) {
	cases := []struct {
		in   string
		want Ref
	}{
		{"mcr.microsoft.com/windows/servercore:ltsc2022", Ref{"mcr.microsoft.com", "windows/servercore", "ltsc2022", ""}},
		{"public.ecr.aws/eks-distro/kubernetes/pause:v1.29.0-eks-1-29-latest", Ref{"public.ecr.aws", "eks-distro/kubernetes/pause", "v1.29.0-eks-1-29-latest", ""}},
		{"docker.io/library/busybox", Ref{"docker.io", "library/busybox", "", ""}},
		{"123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:1.0@" + d256, Ref{"123456789012.dkr.ecr.eu-west-1.amazonaws.com", "team/app", "1.0", d256}},
		{"123456789012.dkr.ecr.us-east-1.amazonaws.com/app@" + d512, Ref{"123456789012.dkr.ecr.us-east-1.amazonaws.com", "app", "", d512}},
		{"localhost:5000/a__b/c-d---e.f_g:_TAG.x-1", Ref{"localhost:5000", "a__b/c-d---e.f_g", "_TAG.x-1", ""}},
		{"10.0.0.1:443/repo:latest", Ref{"10.0.0.1:443", "repo", "latest", ""}},
		{"[::1]:5000/repo:t", Ref{"[::1]:5000", "repo", "t", ""}},
		{"[fe80::1]/repo", Ref{"[fe80::1]", "repo", "", ""}},
		{"Registry.Example.COM/repo", Ref{"Registry.Example.COM", "repo", "", ""}},
		{"mcr.microsoft.com/r:" + strings.Repeat("a", 128), Ref{"mcr.microsoft.com", "r", strings.Repeat("a", 128), ""}},
	}
	for _, c := range cases {
		got, err := Parse(c.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.in, err)
			continue
		}
		if got != c.want {
			t.Errorf("Parse(%q) = %+v, want %+v", c.in, got, c.want)
		}
		if got.String() != c.in {
			t.Errorf("Parse(%q).String() = %q", c.in, got.String())
		}
	}
}

func TestErrorMessage(t *testing.T) {
	_, err := Parse("mcr.microsoft.com/windows/servercore:ltsc 2022")
	want := `"mcr.microsoft.com/windows/servercore:ltsc 2022": the tag "ltsc 2022" may contain only letters, digits, '_', '.' and '-' (at most 128)`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
}

func TestParseInvalid(t *testing.T) {
	long := "mcr.microsoft.com/" + strings.Repeat("a", 250)
	cases := []struct{ in, mention string }{
		{"", "empty"},
		{"busybox", `"busybox" names no registry`},
		{"library/busybox:latest", `"library" is not a registry host`},
		{"mcr.microsoft.com/windows/servercore:", "tag after ':' is empty"},
		{"mcr.microsoft.com/windows/servercore@", "digest after '@' is empty"},
		{"mcr.microsoft.com/windows/servercore:.x", `tag ".x" must start`},
		{"mcr.microsoft.com/r:" + strings.Repeat("a", 129), "at most 128"},
		{"mcr.microsoft.com/r@sha256:abc", `digest "abc" must be 64`},
		{"mcr.microsoft.com/r@sha256:" + strings.Repeat("A", 64), "lowercase hex"},
		{"mcr.microsoft.com/r@md5:" + strings.Repeat("a", 32), "sha256:<64 hex digits>"},
		{"mcr.microsoft.com//r", "empty path component"},
		{"mcr.microsoft.com/r/", "empty path component"},
		{"mcr.microsoft.com/", "repository after the registry is empty"},
		{"/r", "registry host before the first '/' is empty"},
		{"mcr.microsoft.com:0/r", `port "0"`},
		{"mcr.microsoft.com:99999/r", `port "99999"`},
		{"mcr.microsoft.com:/r", "empty port"},
		{"[::1/r", "does not close"},
		{"[1.2.3.4]/r", "not an IPv6 address"},
		{"[::1]x/r", `"x" after the IPv6`},
		{"-mcr.microsoft.com/r", `"-mcr.microsoft.com"`},
		{"mcr..microsoft.com/r", `label ""`},
		{"a-.io/r", `label "a-"`},
		{long, "at most 255"},
		{"mcr.microsoft.com/a._b", `component "a._b"`},
		{"mcr.microsoft.com/a___b", `component "a___b"`},
	}
	for _, c := range cases {
		_, err := Parse(c.in)
		if err == nil {
			t.Errorf("Parse(%q) accepted", c.in)
			continue
		}
		if !strings.Contains(err.Error(), c.mention) {
			t.Errorf("Parse(%q) = %q; want it to mention %q", c.in, err, c.mention)
		}
	}
}

func TestECR(t *testing.T) {
	cases := []struct {
		in, account, region, arn string
	}{
		{"123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:1", "123456789012", "eu-west-1", "arn:aws:ecr:eu-west-1:123456789012:repository/team/app"},
		{"210987654321.dkr.ecr.cn-north-1.amazonaws.com.cn/app:1", "210987654321", "cn-north-1", "arn:aws-cn:ecr:cn-north-1:210987654321:repository/app"},
		{"111122223333.dkr.ecr-fips.us-gov-west-1.amazonaws.com/app:1", "111122223333", "us-gov-west-1", "arn:aws-us-gov:ecr:us-gov-west-1:111122223333:repository/app"},
		{"123456789012.dkr.ecr.ap-southeast-2.amazonaws.com/app@" + d256, "123456789012", "ap-southeast-2", "arn:aws:ecr:ap-southeast-2:123456789012:repository/app"},
	}
	for _, c := range cases {
		r, err := Parse(c.in)
		if err != nil {
			t.Fatal(err)
		}
		account, region, ok := r.IsECR()
		if !ok || account != c.account || region != c.region {
			t.Errorf("%s: IsECR = %q %q %v", c.in, account, region, ok)
		}
		if arn, ok := r.ECRRepositoryARN(); !ok || arn != c.arn {
			t.Errorf("%s: ARN = %q %v, want %q", c.in, arn, ok, c.arn)
		}
	}
	for _, in := range []string{
		"public.ecr.aws/eks-distro/pause:1",
		"mcr.microsoft.com/windows/servercore:ltsc2022",
		"12345678901.dkr.ecr.eu-west-1.amazonaws.com/app:1",
		"123456789012.dkr.ecr.eu-west-1.amazonaws.com.evil.io/app:1",
	} {
		r, err := Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, ok := r.IsECR(); ok {
			t.Errorf("%s: IsECR = true", in)
		}
		if _, ok := r.ECRRepositoryARN(); ok {
			t.Errorf("%s: has an ECR ARN", in)
		}
	}
}
