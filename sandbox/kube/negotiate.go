package kube

import (
	"fmt"
	"net/http"

	"github.com/munnerz/goautoneg"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// media is the encoding a reply was negotiated into.
type media uint8

const (
	mediaJSON media = iota
	mediaProtobuf
	// mediaTable is a meta.k8s.io/v1 Table, in JSON.
	mediaTable
)

const (
	contentTypeJSON     = "application/json"
	contentTypeProtobuf = "application/vnd.kubernetes.protobuf"
)

// offers is what an endpoint can answer in besides JSON, which every one
// can. The API server offers YAML too; the sandbox does not.
type offers struct{ protobuf, table bool }

var (
	// nodeOffers: nodes, as kube-apiserver serves built-in types (their
	// watches are JSON only in the sandbox).
	nodeOffers = offers{protobuf: true, table: true}
	// crdOffers: custom resources, which have no protobuf encoding.
	crdOffers = offers{table: true}
	// podOffers: the sandbox's pods are JSON only.
	podOffers = offers{}
	// statusOffers: errors, negotiated with no conversion allowed as the
	// API server negotiates them (a Table request's errors are plain).
	statusOffers = offers{protobuf: true}
)

// mediaTypes is the list a 406 names.
func (o offers) mediaTypes() string {
	if o.protobuf {
		return contentTypeJSON + ", " + contentTypeProtobuf
	}
	return contentTypeJSON
}

// negotiate picks the reply's encoding from an Accept header as
// kube-apiserver does: the clauses sorted by goautoneg (the parser it
// uses: by q, then concrete types before wildcards; a q=0 clause is sorted
// last but still accepted), and for each in turn the first offered type it
// matches (JSON before protobuf, so */* is JSON) whose parameters the
// endpoint allows. No Accept at all is JSON. false: nothing acceptable.
func negotiate(accept string, o offers) (media, bool) {
	if accept == "" {
		return mediaJSON, true
	}
	for _, c := range goautoneg.ParseAccept(accept) {
		if matches(c, "json") {
			if m, ok := o.allows(c.Params, mediaJSON); ok {
				return m, true
			}
		}
		if o.protobuf && matches(c, "vnd.kubernetes.protobuf") {
			if m, ok := o.allows(c.Params, mediaProtobuf); ok {
				return m, true
			}
		}
	}
	return 0, false
}

// matches reports whether an Accept clause takes application/<subType>.
func matches(c goautoneg.Accept, subType string) bool {
	return c.Type == "application" && (c.SubType == subType || c.SubType == "*") || c.Type == "*" && c.SubType == "*"
}

// allows reads a clause's parameters as the API server does: stream must
// be watch if set, sv the meta group's version, and a conversion
// (as/g/v) one the endpoint serves for that type: the sandbox serves
// meta.k8s.io/v1 Tables in JSON only (the API server also YAML, v1beta1
// Tables and PartialObjectMetadata, which the sandbox does not).
func (o offers) allows(params map[string]string, m media) (media, bool) {
	if s := params["stream"]; s != "" && s != "watch" {
		return 0, false
	}
	if sv := params["sv"]; sv != "" && sv != "v1" {
		return 0, false
	}
	as, g, v := params["as"], params["g"], params["v"]
	_, hasAs := params["as"]
	_, hasG := params["g"]
	_, hasV := params["v"]
	if !hasAs && !hasG && !hasV {
		return m, true
	}
	if as == "Table" && g == "meta.k8s.io" && v == "v1" && m == mediaJSON && o.table {
		return mediaTable, true
	}
	return 0, false
}

// negotiateReply negotiates r's reply, or answers 406 as the API server
// does (a Status in JSON, since nothing else was acceptable).
func negotiateReply(w http.ResponseWriter, r *http.Request, o offers) (media, bool) {
	m, ok := negotiate(r.Header.Get("Accept"), o)
	if !ok {
		writeStatus(w, notAcceptable(o))
	}
	return m, ok
}

func notAcceptable(o offers) *metav1.Status {
	return failure(http.StatusNotAcceptable, metav1.StatusReasonNotAcceptable,
		fmt.Sprintf("only the following media types are accepted: %s", o.mediaTypes()))
}

// writeStatusFor writes an error in the encoding r accepts for errors:
// protobuf when that is preferred, JSON otherwise (also when nothing is
// acceptable, as the API server falls back to JSON).
func writeStatusFor(w http.ResponseWriter, r *http.Request, s *metav1.Status) {
	if m, ok := negotiate(r.Header.Get("Accept"), statusOffers); ok && m == mediaProtobuf {
		writeProtoStatus(w, s)
		return
	}
	writeStatus(w, s)
}
