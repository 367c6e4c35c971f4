package pipelinecmd

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/winami/winami/pkg/amimeta"
	"github.com/winami/winami/pkg/images"
	"github.com/winami/winami/pkg/pipeline"
)

var symbols = map[pipeline.Action]string{
	pipeline.ActionCreate:     "+",
	pipeline.ActionNewVersion: "+",
	pipeline.ActionUpdate:     "~",
	pipeline.ActionDelete:     "-",
}

// renderPlan prints a plan for people, Terraform-like: a symbol per
// resource, the attributes that change, and a closing count.
func renderPlan(w io.Writer, p *pipeline.Plan) {
	fmt.Fprintf(w, "Spec %q in %s, parent image %s\n\n", p.Spec, p.Region, parentText(p.Parent))
	renderImageCheck(w, p)
	if !p.HasChanges() {
		fmt.Fprintln(w, "No changes: the Image Builder resources match the spec.")
		return
	}
	for _, c := range p.Changes {
		if c.Action == pipeline.ActionNoOp {
			continue
		}
		renderChange(w, c)
	}
	fmt.Fprintf(w, "\nPlan: %d to add, %d to change, %d to destroy.\n", p.Summary.Add, p.Summary.Change, p.Summary.Destroy)
}

// parentText is the parent image for people: its ID, release, and the
// date EC2 deprecates it when it has one.
func parentText(p pipeline.Parent) string {
	s := fmt.Sprintf("%s (%s", p.Image, p.Release)
	if p.Copy {
		s += ", the account's copy"
	}
	if p.DeprecationTime != "" {
		s += ", deprecated by EC2 on " + p.DeprecationTime
	}
	return s + ")"
}

func renderChange(w io.Writer, c pipeline.Change) {
	line := fmt.Sprintf("  %s %s %s", symbols[c.Action], c.Kind, c.Name)
	if c.Version != "" {
		line += " " + c.Version
	}
	if c.Kind == pipeline.KindAMI {
		line = fmt.Sprintf("  %s ami %s in %s (%s, with its snapshots)", symbols[c.Action], c.ARN, c.Region, c.Name)
	}
	switch c.Action {
	case pipeline.ActionNewVersion:
		line += " (new version; the old one stays for the images built from it)"
	case pipeline.ActionUpdate:
		line += " (update in place)"
	}
	fmt.Fprintln(w, line)
	for _, d := range c.Diff {
		fmt.Fprintf(w, "      %s: %s → %s\n", d.Path, show(d.Old), show(d.New))
	}
}

func show(v any) string {
	if v == nil {
		return "(none)"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// renderImageCheck shows each cache image with its verdict for the AMI's
// Windows build and the digest it is pinned to.
func renderImageCheck(w io.Writer, p *pipeline.Plan) {
	if p.ImageCheck == nil {
		return
	}
	fmt.Fprintf(w, "Cache images on Windows %s:\n", p.ImageCheck.Host)
	for _, r := range p.ImageCheck.Images {
		switch {
		case r.Verdict == images.Compatible && r.Chosen != nil:
			fmt.Fprintf(w, "  ok    %s pinned to %s (os.version %s)\n", r.Image, r.Digest, r.Chosen.OSVersion)
		case r.Verdict == images.Compatible:
			fmt.Fprintf(w, "  ok    %s pinned to %s\n", r.Image, r.Digest)
		default:
			fmt.Fprintf(w, "  %-5s %s: %s\n", r.Verdict, r.Image, r.Reason)
		}
	}
	if p.Cache != nil && p.Cache.Parameter != "" {
		fmt.Fprintf(w, "The AMIs record them in %s (tag %s).\n", p.Cache.Parameter, amimeta.TagCache)
	}
	fmt.Fprintln(w)
}
