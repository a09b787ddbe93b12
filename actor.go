package peaceops

import "context"

// Actor is the identity on whose behalf an operation runs. The zero Actor is
// anonymous. Actors are built by access/ from a session or API token (or by
// cmd/peaceops for command-line administration) and carried in the context.
type Actor struct {
	UserID   ID     `json:"user_id,omitempty"`
	Username string `json:"username,omitempty"`
	Admin    bool   `json:"admin,omitempty"`
	// Roles maps a mission code to the roles the actor holds in it.
	Roles map[string][]Role `json:"roles,omitempty"`
	// System marks the command-line operator working directly on the
	// database (user add, migrate). It is never set for network callers.
	System bool `json:"-"`
	// SessionID is set when the actor came from a browser session; the web
	// layer derives the session's CSRF token from it.
	SessionID string `json:"-"`
}

// Anonymous reports whether no one is authenticated.
func (a Actor) Anonymous() bool { return a.UserID == "" && !a.System }

// HasRole reports whether the actor holds role in mission.
func (a Actor) HasRole(mission string, role Role) bool {
	for _, r := range a.Roles[mission] {
		if r == role {
			return true
		}
	}
	return false
}

// Missions returns the codes of the missions the actor is a member of.
func (a Actor) Missions() []string {
	codes := make([]string, 0, len(a.Roles))
	for code := range a.Roles {
		codes = append(codes, code)
	}
	return codes
}

// Name returns a label for logs and audit entries.
func (a Actor) Name() string {
	switch {
	case a.System && a.Username == "":
		return "system"
	case a.Username != "":
		return a.Username
	default:
		return "anonymous"
	}
}

type actorKey struct{}

// NewContextWithActor returns a copy of ctx carrying a.
func NewContextWithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFromContext returns the actor carried by ctx, or the anonymous actor.
func ActorFromContext(ctx context.Context) Actor {
	a, _ := ctx.Value(actorKey{}).(Actor)
	return a
}

// SystemActor is the command-line operator.
func SystemActor() Actor { return Actor{System: true, Username: "system"} }
