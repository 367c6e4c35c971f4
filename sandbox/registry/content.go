package registry

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// SimulatedSizeAnnotation is set on every layer descriptor of a seeded
// manifest: the compressed size the real image's layer has (servercore's
// base layer is about 1.5 GB), as a decimal byte count. The descriptor's
// size is the true size of the tiny synthetic blob, so digests and sizes
// verify in every client; a tool that wants the realistic figure (winami's
// size report in the sandbox) reads this annotation.
const SimulatedSizeAnnotation = "dev.winami.sandbox.simulated-size"

// Platform is the platform of one manifest.
type Platform struct {
	OS           string
	Architecture string
	// OSVersion is Windows' "10.0.<build>.<revision>"; empty for Linux.
	OSVersion string
}

func (p Platform) String() string {
	s := p.OS + "/" + p.Architecture
	if p.OSVersion != "" {
		s += ":" + p.OSVersion
	}
	return s
}

// manifestBlob is a manifest or index as the registry serves it.
type manifestBlob struct {
	mediaType types.MediaType
	body      []byte
	digest    string
}

// repository is one repository's content on one host.
type repository struct {
	name      string
	manifests map[string]*manifestBlob // by digest
	tags      map[string]string        // tag -> digest
	blobs     map[string][]byte        // by digest
	images    []Image                  // what was seeded, in seed order
}

func newRepository(name string) *repository {
	return &repository{name: name, manifests: map[string]*manifestBlob{}, tags: map[string]string{}, blobs: map[string][]byte{}}
}

func digestOf(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func (r *repository) addBlob(b []byte) v1.Hash {
	d := digestOf(b)
	r.blobs[d] = b
	h, _ := v1.NewHash(d)
	return h
}

func (r *repository) addManifest(mt types.MediaType, v any) (*manifestBlob, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encoding manifest of %s: %w", r.name, err)
	}
	m := &manifestBlob{mediaType: mt, body: body, digest: digestOf(body)}
	r.manifests[m.digest] = m
	return m, nil
}

// layerSpec is one synthetic layer: its realistic compressed size.
type layerSpec struct {
	simulatedSize int64
}

// imageSpec describes one single-platform image to build.
type imageSpec struct {
	platform Platform
	layers   []layerSpec
	oci      bool
	created  time.Time
}

// tinyLayer is a gzipped tar holding one small text file: a valid layer any
// client can extract, a few hundred bytes long, always the same for the same name.
func tinyLayer(name string) ([]byte, []byte, error) {
	var tarBuf bytes.Buffer
	tw := tar.NewWriter(&tarBuf)
	content := []byte("winami sandbox synthetic layer " + name + "\n")
	hdr := &tar.Header{Name: "Files/winami-sandbox/" + name + ".txt", Mode: 0o644, Size: int64(len(content)),
		ModTime: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Typeflag: tar.TypeReg, Format: tar.FormatPAX}
	if err := tw.WriteHeader(hdr); err != nil {
		return nil, nil, err
	}
	if _, err := tw.Write(content); err != nil {
		return nil, nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, nil, err
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	if _, err := zw.Write(tarBuf.Bytes()); err != nil {
		return nil, nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, nil, err
	}
	return gz.Bytes(), tarBuf.Bytes(), nil
}

// buildImage adds an image's config, layers and manifest to the repository
// and returns the manifest with its platform.
func (r *repository) buildImage(label string, spec imageSpec) (*manifestBlob, error) {
	manifestType, configType, layerType := types.DockerManifestSchema2, types.DockerConfigJSON, types.DockerLayer
	if spec.oci {
		manifestType, configType, layerType = types.OCIManifestSchema1, types.OCIConfigJSON, types.OCILayer
	}
	cfg := v1.ConfigFile{
		Architecture: spec.platform.Architecture,
		OS:           spec.platform.OS,
		OSVersion:    spec.platform.OSVersion,
		Created:      v1.Time{Time: spec.created},
		RootFS:       v1.RootFS{Type: "layers"},
		Config:       v1.Config{Env: []string{"WINAMI_SANDBOX=1"}},
	}
	if spec.platform.OS == "windows" {
		cfg.Config.Cmd = []string{"c:\\windows\\system32\\cmd.exe"}
	} else {
		cfg.Config.Cmd = []string{"/bin/sh"}
	}
	var layers []v1.Descriptor
	for i, l := range spec.layers {
		gz, raw, err := tinyLayer(fmt.Sprintf("%s-%s-layer%d", label, spec.platform.String(), i))
		if err != nil {
			return nil, fmt.Errorf("building layer of %s: %w", label, err)
		}
		diffID, _ := v1.NewHash(digestOf(raw))
		cfg.RootFS.DiffIDs = append(cfg.RootFS.DiffIDs, diffID)
		layers = append(layers, v1.Descriptor{
			MediaType:   layerType,
			Size:        int64(len(gz)),
			Digest:      r.addBlob(gz),
			Annotations: map[string]string{SimulatedSizeAnnotation: strconv.FormatInt(l.simulatedSize, 10)},
		})
	}
	cfgBody, err := json.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("encoding config of %s: %w", label, err)
	}
	m := v1.Manifest{
		SchemaVersion: 2,
		MediaType:     manifestType,
		Config:        v1.Descriptor{MediaType: configType, Size: int64(len(cfgBody)), Digest: r.addBlob(cfgBody)},
		Layers:        layers,
	}
	return r.addManifest(manifestType, m)
}

// buildIndex adds an index over single-platform images.
func (r *repository) buildIndex(label string, oci bool, specs []imageSpec) (*manifestBlob, error) {
	indexType := types.DockerManifestList
	if oci {
		indexType = types.OCIImageIndex
	}
	idx := v1.IndexManifest{SchemaVersion: 2, MediaType: indexType}
	for _, s := range specs {
		s.oci = oci
		m, err := r.buildImage(label, s)
		if err != nil {
			return nil, err
		}
		h, _ := v1.NewHash(m.digest)
		idx.Manifests = append(idx.Manifests, v1.Descriptor{
			MediaType: m.mediaType,
			Size:      int64(len(m.body)),
			Digest:    h,
			Platform:  &v1.Platform{OS: s.platform.OS, Architecture: s.platform.Architecture, OSVersion: s.platform.OSVersion},
		})
	}
	return r.addManifest(indexType, idx)
}
