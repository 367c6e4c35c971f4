package kube

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The API server's failures, as metav1.Status objects with its reasons and
// messages.

func failure(code int32, reason metav1.StatusReason, message string) *metav1.Status {
	return &metav1.Status{
		TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"},
		Status:   metav1.StatusFailure,
		Message:  message,
		Reason:   reason,
		Code:     code,
	}
}

func unauthorized() *metav1.Status {
	return failure(http.StatusUnauthorized, metav1.StatusReasonUnauthorized, "Unauthorized")
}

func badRequest(message string) *metav1.Status {
	return failure(http.StatusBadRequest, metav1.StatusReasonBadRequest, message)
}

func nodeNotFound(name string) *metav1.Status {
	s := failure(http.StatusNotFound, metav1.StatusReasonNotFound, fmt.Sprintf("nodes %q not found", name))
	s.Details = &metav1.StatusDetails{Name: name, Kind: "nodes"}
	return s
}

func methodNotAllowed(method string) *metav1.Status {
	return failure(http.StatusMethodNotAllowed, metav1.StatusReasonMethodNotAllowed,
		fmt.Sprintf("%s is not supported: the sandbox's Kubernetes API serves nodes read-only and patches Karpenter's resources only", method))
}

func internalError(err error) *metav1.Status {
	return failure(http.StatusInternalServerError, metav1.StatusReasonInternalError, err.Error())
}

func writeStatus(w http.ResponseWriter, s *metav1.Status) {
	writeJSON(w, int(s.Code), s)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		body, _ = json.Marshal(internalError(err))
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeNotFoundPage is the API server's answer to a path it does not serve:
// plain text, not a Status.
func writeNotFoundPage(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusNotFound)
	_, _ = w.Write([]byte("404 page not found\n"))
}

// invalid is a 422 Invalid status for a request parameter.
func invalid(field, message string) *metav1.Status {
	s := failure(http.StatusUnprocessableEntity, metav1.StatusReasonInvalid, message)
	s.Details = &metav1.StatusDetails{Causes: []metav1.StatusCause{{Type: metav1.CauseType("FieldValueForbidden"), Message: message, Field: field}}}
	return s
}

// limitOf is a list's limit parameter (0 when absent), or the API server's
// refusal of one that is not a number.
func limitOf(v string) (int, *metav1.Status) {
	if v == "" {
		return 0, nil
	}
	limit, err := strconv.Atoi(v)
	if err != nil {
		return 0, badRequest(fmt.Sprintf("limit: Invalid value: %q: must be an integer", v))
	}
	return limit, nil
}
