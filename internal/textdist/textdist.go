// Package textdist measures how far apart two words are, for "did you
// mean" suggestions in error messages.
package textdist

import "strings"

// Levenshtein is the edit distance between a and b, in bytes (the words
// compared are ASCII keys and names).
func Levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Closest is the candidate nearest to word, ignoring case, when fewer than
// within edits separate them, else "": the one "did you mean" rule that
// spec keys, action names, profiles, regions, contexts and instance
// profiles share. Among equally near candidates the first wins.
func Closest(word string, candidates []string, within int) string {
	lw := strings.ToLower(word)
	best, bestDist := "", within
	for _, c := range candidates {
		if d := Levenshtein(lw, strings.ToLower(c)); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}
