package access

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/peaceops/peaceops"
)

// User is a person who logs in to peaceops. The password hash never leaves
// this package.
type User struct {
	ID          peaceops.ID `json:"id"`
	Username    string      `json:"username"`
	DisplayName string      `json:"display_name"`
	Admin       bool        `json:"admin"`
	Disabled    bool        `json:"disabled"`
	Language    string      `json:"language"`
	CreatedAt   time.Time   `json:"created_at"`
	UpdatedAt   time.Time   `json:"updated_at"`
	Version     int64       `json:"version"`

	passwordHash string
}

// auditUser is the audit log's view of a user: the hash is marked secret,
// so an entry shows that the password changed but never the hash.
type auditUser struct {
	User
	PasswordHash string `json:"password_hash" audit:"secret"`
}

func (u *User) audit() auditUser { return auditUser{User: *u, PasswordHash: u.passwordHash} }

// Limits of user input.
const (
	minUsername    = 3
	maxUsername    = 64
	minPassword    = 12
	maxPassword    = 1024
	maxDisplayName = 200
	maxTokenName   = 100
)

// UserCreate is the input of CreateUser.
type UserCreate struct {
	Username    string `json:"username"`
	Password    string `json:"password"`
	DisplayName string `json:"display_name"`
	Admin       bool   `json:"admin"`
}

// Validate returns every problem of c at once as an EINVALID error.
func (c UserCreate) Validate() error {
	var errs []peaceops.FieldError
	if msg := usernameProblem(c.Username); msg != "" {
		errs = append(errs, peaceops.FieldError{Field: "username", Message: msg})
	}
	if msg := passwordProblem(c.Password); msg != "" {
		errs = append(errs, peaceops.FieldError{Field: "password", Message: msg})
	}
	if msg := displayNameProblem(c.DisplayName); msg != "" {
		errs = append(errs, peaceops.FieldError{Field: "display_name", Message: msg})
	}
	return peaceops.Invalid(errs)
}

// UserUpdate is the input of UpdateUser; nil fields stay as they are.
type UserUpdate struct {
	DisplayName *string `json:"display_name,omitempty"`
	Admin       *bool   `json:"admin,omitempty"`
	Disabled    *bool   `json:"disabled,omitempty"`
	Password    *string `json:"password,omitempty"`
	Language    *string `json:"language,omitempty"`
	// CurrentPassword must accompany a new Password when users change their
	// own password (an administrator resetting someone's does not give it),
	// so a borrowed session cannot lock the owner out.
	CurrentPassword *string `json:"current_password,omitempty"`
}

// Validate returns every problem of u at once as an EINVALID error.
func (u UserUpdate) Validate() error {
	var errs []peaceops.FieldError
	if u.DisplayName != nil {
		if msg := displayNameProblem(*u.DisplayName); msg != "" {
			errs = append(errs, peaceops.FieldError{Field: "display_name", Message: msg})
		}
	}
	if u.Password != nil {
		if msg := passwordProblem(*u.Password); msg != "" {
			errs = append(errs, peaceops.FieldError{Field: "password", Message: msg})
		}
	}
	if u.Language != nil && !validLanguage(*u.Language) {
		errs = append(errs, peaceops.FieldError{Field: "language", Message: "must be a language tag such as en or fr, or empty"})
	}
	return peaceops.Invalid(errs)
}

// UserFilter selects users for FindUsers.
type UserFilter struct {
	// Query matches a part of the username or display name, ignoring case.
	Query string `json:"query"`
	// Limit is the most users returned: default 50, at most 1000.
	Limit int `json:"limit"`
	// After is a cursor: only usernames after it, in username order.
	After string `json:"after"`
}

func usernameProblem(s string) string {
	if n := len(s); n < minUsername || n > maxUsername {
		return "must be 3 to 64 characters"
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return "may hold only lowercase letters a-z, digits, '.', '_' and '-'"
		}
	}
	return ""
}

func passwordProblem(s string) string {
	switch n := utf8.RuneCountInString(s); {
	case n < minPassword:
		return "must be at least 12 characters"
	case n > maxPassword:
		return "must be at most 1024 characters"
	}
	return ""
}

func displayNameProblem(s string) string {
	if utf8.RuneCountInString(s) > maxDisplayName {
		return "must be at most 200 characters"
	}
	if !utf8.ValidString(s) || strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return "must be plain text on one line"
	}
	return ""
}

// validLanguage accepts "" or a simple BCP 47 tag: a 2-3 letter language
// and an optional region or script ("en", "fr", "pt-BR").
func validLanguage(s string) bool {
	if s == "" {
		return true
	}
	lang, rest, hasRest := strings.Cut(s, "-")
	if len(lang) < 2 || len(lang) > 3 || strings.Trim(lang, "abcdefghijklmnopqrstuvwxyz") != "" {
		return false
	}
	if !hasRest {
		return true
	}
	if len(rest) < 2 || len(rest) > 8 {
		return false
	}
	for _, c := range rest {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// Token is an API token as listed; the token text itself is shown only
// once, when it is created.
type Token struct {
	ID         peaceops.ID `json:"id"`
	UserID     peaceops.ID `json:"user_id"`
	Username   string      `json:"username"`
	Name       string      `json:"name"`
	CreatedAt  time.Time   `json:"created_at"`
	ExpiresAt  *time.Time  `json:"expires_at,omitempty"`
	LastUsedAt *time.Time  `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time  `json:"revoked_at,omitempty"`
}

// Member is a user with the roles they hold in one mission.
type Member struct {
	Username    string          `json:"username"`
	DisplayName string          `json:"display_name"`
	Roles       []peaceops.Role `json:"roles"`
}
