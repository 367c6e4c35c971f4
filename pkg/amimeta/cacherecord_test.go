package amimeta

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

func TestCacheRecordFitsATagOrGoesToSSM(t *testing.T) {
	d1 := "sha256:" + strings.Repeat("1", 64)
	short := []CachedImage{
		{Image: "mcr.microsoft.com/windows/nanoserver:ltsc2022", Digest: d1},
		{Image: "localhost/p@" + d1, Digest: d1},
		{Image: "docker.io/library/busybox:1.36"},
	}
	rec, err := NewCacheRecord("prod", short)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Parameter != "" || rec.Tag != "mcr.microsoft.com/windows/nanoserver:ltsc2022@"+d1+" localhost/p@"+d1+" docker.io/library/busybox:1.36" {
		t.Fatalf("record %+v", rec)
	}
	back, err := ReadCacheRecord(context.Background(), nil, map[string]string{TagCache: rec.Tag})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(back) != fmt.Sprint(short) {
		t.Errorf("read back %v, want %v", back, short)
	}
	if _, err := ReadCacheRecord(context.Background(), nil, map[string]string{}); err != ErrNoCacheRecord {
		t.Errorf("no tag: %v", err)
	}

	var long []CachedImage
	for i := range 3 {
		long = append(long, CachedImage{Image: fmt.Sprintf("mcr.microsoft.com/windows/servercore:ltsc20%d", 19+i), Digest: d1})
	}
	rec, err = NewCacheRecord("prod", long)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(rec.Parameter, "/winami/prod/image-cache/") || rec.Tag != "ssm:"+rec.Parameter || rec.ParameterTier != "Standard" || len(rec.Tag) > maxTagValue {
		t.Errorf("record %+v", rec)
	}
	again, _ := NewCacheRecord("prod", long)
	other, _ := NewCacheRecord("prod", long[:2])
	if again.Parameter != rec.Parameter || other.Parameter == rec.Parameter {
		t.Errorf("the parameter's name is not its content's: %s %s %s", rec.Parameter, again.Parameter, other.Parameter)
	}

	// 60 images need an Advanced parameter; 200 fit nowhere.
	many := func(n int) []CachedImage {
		out := make([]CachedImage, n)
		for i := range out {
			out[i] = CachedImage{Image: fmt.Sprintf("111122223333.dkr.ecr.us-east-1.amazonaws.com/team/app-%03d:1.0.0", i), Digest: d1}
		}
		return out
	}
	if rec, err := NewCacheRecord("prod", many(40)); err != nil || rec.ParameterTier != "Advanced" {
		t.Errorf("40 images: %+v, %v", rec.ParameterTier, err)
	}
	if _, err := NewCacheRecord("prod", many(200)); err == nil || !strings.Contains(err.Error(), "cache fewer images") {
		t.Errorf("200 images: %v", err)
	}
}
