package peaceops

import (
	"fmt"
	"strings"
)

// Money is an amount in minor units (cents) of an ISO 4217 currency. Money
// is never a float.
type Money struct {
	Minor    int64  `json:"minor"`
	Currency string `json:"currency"`
}

// String formats m with two decimals, e.g. "USD 1234.50".
func (m Money) String() string {
	sign := ""
	v := m.Minor
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s %s%d.%02d", m.Currency, sign, v/100, v%100)
}

// ValidCurrency reports whether s has the form of an ISO 4217 code.
func ValidCurrency(s string) bool {
	return len(s) == 3 && strings.ToUpper(s) == s && strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == ""
}
