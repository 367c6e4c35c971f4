package protocol

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
)

// DefaultMaxBodyBytes bounds a request body. AWS's own limits are smaller for
// most operations; this one only guards the sandbox's memory.
const DefaultMaxBodyBytes = 1 << 20

// Interceptor runs after a request is decoded and before its handler; a
// non-nil error is answered instead of calling the handler. The fault injector
// is one.
type Interceptor func(ctx context.Context, svc *Service, req *Request) error

// MuxOptions configure a Mux.
type MuxOptions struct {
	// DefaultRegion is the region of unsigned requests.
	DefaultRegion string
	// MaxBodyBytes bounds request bodies; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Intercept, when set, runs before every handler.
	Intercept Interceptor
	// Logger receives one debug line per request; nil discards.
	Logger *slog.Logger
}

// Mux routes requests to services and speaks each service's protocol.
type Mux struct {
	opts      MuxOptions
	byName    map[string]*Service
	byTarget  map[string]*Service
	byVersion map[string]*Service
	rest      []*Service
	nextID    atomic.Uint64
	bufs      BufferPool
}

// NewMux builds a Mux over the given services.
func NewMux(opts MuxOptions, services ...*Service) *Mux {
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.DefaultRegion == "" {
		opts.DefaultRegion = "us-east-1"
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	m := &Mux{
		opts:      opts,
		byName:    map[string]*Service{},
		byTarget:  map[string]*Service{},
		byVersion: map[string]*Service{},
	}
	for _, s := range services {
		m.byName[s.Name] = s
		switch s.Protocol {
		case JSON11:
			m.byTarget[s.TargetPrefix] = s
		case EC2Query, AWSQuery:
			m.byVersion[s.APIVersion] = s
		case RESTJSON:
			m.rest = append(m.rest, s)
		}
	}
	return m
}

// ServeHTTP answers one AWS API request.
func (m *Mux) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req := &Request{
		RequestID: m.requestID(),
		Region:    m.opts.DefaultRegion,
		Header:    r.Header,
		Host:      r.Host,
	}
	svc, signed := m.serviceFromScope(r, req)
	body, tooLarge, readErr := readBody(w, r, m.opts.MaxBodyBytes)
	if svc == nil && !signed {
		// A body too large to read is nil here: the header and URL still route.
		svc = m.serviceFromShape(r, body)
	}
	if svc == nil {
		m.opts.Logger.Debug("sandbox request for no known service", "method", r.Method, "path", r.URL.Path, "tooLarge", tooLarge)
		writeUnknownService(w, req.RequestID, tooLarge, m.opts.MaxBodyBytes)
		return
	}
	req.Service = svc.Name
	var err error
	switch {
	case tooLarge:
		err = StatusError(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge",
			"Request body exceeds the limit of %d bytes", m.opts.MaxBodyBytes)
	case readErr != nil:
		err = Errorf("IncompleteBody", "The request body could not be read: %v", readErr)
	default:
		err = decode(svc, r, body, req)
	}
	var result any
	if err == nil && m.opts.Intercept != nil {
		err = m.opts.Intercept(r.Context(), svc, req)
	}
	if err == nil {
		result, err = callHandler(r.Context(), svc, req)
	}
	m.opts.Logger.Debug("sandbox request", "service", svc.Name, "region", req.Region,
		"operation", req.Operation, "error", err)
	if err != nil {
		writeError(w, svc, req, asAWSError(svc, err))
		return
	}
	writeResult(w, svc, req, result, &m.bufs)
}

func (m *Mux) requestID() string {
	n := m.nextID.Add(1)
	return fmt.Sprintf("5a1db0c5-0000-4000-8000-%012x", n)
}

// serviceFromScope reads the SigV4 credential scope, from the Authorization
// header or a presigned URL: "<key>/<date>/<region>/<service>/aws4_request".
// signed reports a well-formed scope: it names the service authoritatively,
// so a scope for a service the sandbox lacks is not rerouted by the body's
// shape to another one.
func (m *Mux) serviceFromScope(r *http.Request, req *Request) (svc *Service, signed bool) {
	cred := ""
	if auth := r.Header.Get("Authorization"); auth != "" {
		if i := strings.Index(auth, "Credential="); i >= 0 {
			cred = auth[i+len("Credential="):]
			if j := strings.IndexAny(cred, ", "); j >= 0 {
				cred = cred[:j]
			}
		}
	} else {
		cred = queryValue(r.URL.RawQuery, "X-Amz-Credential")
	}
	parts := strings.Split(cred, "/")
	if len(parts) != 5 || parts[4] != "aws4_request" || parts[3] == "" {
		return nil, false
	}
	req.AccessKey = parts[0]
	if validRegion(parts[2]) {
		req.Region = parts[2]
	}
	return m.byName[parts[3]], true
}

// serviceFromShape routes an unsigned request by X-Amz-Target, then by the
// query protocol's Version field, then by REST path.
func (m *Mux) serviceFromShape(r *http.Request, body []byte) *Service {
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		prefix, _, _ := strings.Cut(target, ".")
		return m.byTarget[prefix]
	}
	if version := formValue(r, body, "Version"); version != "" {
		return m.byVersion[version]
	}
	for _, s := range m.rest {
		if _, _, ok := matchRoute(s.Routes, r.Method, r.URL.EscapedPath()); ok {
			return s
		}
	}
	return nil
}

// readBody reads at most limit bytes; a larger body is reported, not read.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) (body []byte, tooLarge bool, err error) {
	if r.Body == nil {
		return nil, false, nil
	}
	if r.ContentLength > limit {
		return nil, true, nil
	}
	body, err = io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, true, nil
	}
	return body, false, err
}

// formValue peeks at a form field without failing on a malformed body.
func formValue(r *http.Request, body []byte, key string) string {
	if v := queryValue(r.URL.RawQuery, key); v != "" {
		return v
	}
	if !isForm(r.Header.Get("Content-Type")) {
		return ""
	}
	return queryValue(string(body), key)
}

// queryValue reads one field of a query string, tolerating malformed pairs
// elsewhere in it (url.ParseQuery keeps the good pairs and reports the bad).
func queryValue(raw, key string) string {
	q, _ := url.ParseQuery(raw)
	return q.Get(key)
}

func isForm(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.EqualFold(strings.TrimSpace(mt), "application/x-www-form-urlencoded")
}

func callHandler(ctx context.Context, svc *Service, req *Request) (result any, err error) {
	h := svc.Operations[req.Operation]
	if h == nil {
		return nil, unknownOperation(svc, req)
	}
	// A handler bug must cost one request, not the sandbox.
	defer func() {
		if p := recover(); p != nil {
			err = svc.InternalError("internal error in %s: %v", req.Operation, p)
		}
	}()
	return h(ctx, req)
}

// unknownOperation is each protocol's answer to an operation the service
// does not have, in the words AWS uses.
func unknownOperation(svc *Service, req *Request) *Error {
	switch svc.Protocol {
	case EC2Query:
		return Errorf("InvalidAction", "The action %s is not valid for this web service.", req.Operation)
	case AWSQuery:
		return Errorf("InvalidAction", "Could not find operation %s for version %s", req.Operation, svc.APIVersion)
	case RESTJSON:
		return StatusError(http.StatusNotFound, "UnknownOperationException", "No operation %s", req.Operation)
	}
	return Errorf("UnknownOperationException", "")
}

func asAWSError(svc *Service, err error) *Error {
	var awsErr *Error
	if errors.As(err, &awsErr) {
		return awsErr
	}
	return svc.InternalError("%v", err)
}

func (s *Service) internalStatus() int {
	if s.InternalStatus != 0 {
		return s.InternalStatus
	}
	return http.StatusInternalServerError
}

func (s *Service) internalCode() string {
	if s.InternalCode != "" {
		return s.InternalCode
	}
	return "InternalFailure"
}

func validRegion(r string) bool {
	if r == "" || len(r) > 32 {
		return false
	}
	for _, c := range r {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
