// Package alerts is the statistical core of early warning: for each admin
// area (and optionally each event type) it compares the last few weeks of
// activity with the area's own history and says, in one English sentence,
// whether the recent count is unusually high, for example
//
//	Ouaka: 14 events in the last 28 days vs 3.1 expected (negative binomial, p < 0.001)
//
// detect.go and stats.go are pure computation on weekly counts: no
// database, no HTTP, no clock. Around them sits the early-warning
// capability, in the rooms every capability has (alert.go, service.go,
// store.go, http.go, pages.go with templates/): Service.Run builds the
// series from events.Service.Stats (per admin 1 and admin 2 area, and per
// category with enough data, ending with the last complete ISO week),
// records the results as alerts that people acknowledge, assign, resolve
// or dismiss, and notifies subscribers in the application and, through
// notify.go, by mail; Service.Schedule runs it for every active mission.
// Events themselves, admin areas and memberships belong to events/, geo/
// and access/.
//
// # What is compared
//
// A Series holds counts per ISO week (Monday to Sunday), oldest first, ending
// with the last complete week. Weeks rather than days: daily counts are mostly
// zeros and dominated by the day-of-week rhythm of reporting, while a week is
// the shortest period over which a JOC or JMAC would act on a trend. The
// recent window is the last RecentWeeks weeks (default 4, i.e. 28 days); the
// history is the HistoryWeeks weeks just before it (default 52). The window
// itself never counts towards the history, so a surge cannot hide itself by
// raising its own baseline.
//
// # What the p-value means
//
// The p-value answers: "if nothing had changed in this area, how often would
// we see at least this many events in a window of this length?" A p-value of
// 0.001 means about once in a thousand windows. A small p-value says the rise
// is unlikely to be chance fluctuation; it does not say why it happened, how
// serious it is, or that violence is certain to continue. A large p-value
// does not mean the area is safe: it means the count is within what its own
// history produces. An area that has always been violent stays "expected".
//
// Levels, with the default Alpha = 0.01 (in general 5×Alpha, Alpha and
// Alpha/10):
//
//	watch    p < 0.05
//	warning  p < 0.01   (Result.Alert is true from here)
//	alert    p < 0.001
//
// and no level at all unless the window holds at least MinEvents (default 3)
// events: one event where there are usually none can be very improbable and
// still not be a trend worth a report.
//
// # Poisson or negative binomial
//
// If events arrived independently at a steady rate, weekly counts would
// follow a Poisson distribution, whose variance equals its mean. Conflict
// events do not: they come in bursts (an offensive, a cycle of reprisals), so
// the weekly counts vary much more than their mean. Testing such an area
// against a Poisson model would flag every ordinary burst. So the history is
// first tested for overdispersion (the index-of-dispersion test: under
// Poisson, (n-1)·variance/mean follows a chi-square distribution with n-1
// degrees of freedom; overdispersed when its upper tail is below 0.05). An
// overdispersed area is tested against a negative binomial distribution with
// the same mean and the history's variance (method of moments: weekly
// variance = mean + mean²/size; a window of w weeks has size w·size, which
// assumes weeks are independent given the rate). Otherwise the Poisson model
// is used. Result.Dispersion (variance / mean) shows how bursty the area has
// been; Result.Model says which model was used. The same count is therefore
// less surprising in a bursty area than in a steady one.
//
// The tail probabilities are computed from the regularised incomplete gamma
// (Poisson) and beta (negative binomial) functions in log space, accurate to
// about 1e-12 relative even for tails far below 1e-100 and counts in the
// millions; PoissonTail and NegBinomialTail expose them.
//
// # Seasonality
//
// Much violence is seasonal: armed groups move in the dry season, roads close
// in the rains, transhumance corridors fill in known months. With
// Params.Seasonal and at least two earlier years in the series, the expected
// count comes from the same calendar weeks of up to five earlier years,
// widened by two weeks on each side, instead of from the flat yearly average:
//
//	seasonal index = (events in those weeks + 2) / (events the level of each of those years predicts for them + 2)
//	expected per week = mean of the last 52 weeks × seasonal index
//
// Each earlier year's level is the mean of the 52 weeks centred on its
// season, and the current level is the mean of the 52 weeks before the
// window; using their ratio rather than the raw counts of earlier years
// scales the seasonal pattern by the overall trend, so an area that has
// become twice as violent overall is expected to have a dry season twice as
// violent. The two added events keep the index near 1 where earlier years
// had too few events to show a pattern. Burstiness is still estimated from
// the flat history, which seasonal swings make look burstier than it is: the
// seasonal test errs towards fewer alerts. A series with less than two
// earlier years falls back to the flat baseline, and Result.Seasonal says
// which one was used.
//
// # Areas with no history
//
// An area with no events at all in its history has no rate to compare with,
// and a plug-in rate of zero would make any single event infinitely
// surprising. Such an area is compared with what n empty weeks tell us: the
// rate is small but unknown (a Jeffreys prior, Gamma(1/2) updated by n empty
// weeks), which gives a negative binomial with size 1/2 and mean w/(2n) for
// the window. The explanation reads "5 events in the last 28 days after none
// in the previous 52 weeks (new activity, ...)"; when the window reaches
// MinEvents the result is marked NewActivity and is at least a warning
// whatever the p-value, because violence spreading to a new area is exactly
// what early warning is for. A series with less than MinHistoryWeeks (8) of
// history is not tested at all (Model none, p = 1).
//
// # Many areas at once
//
// A mission tests about 70 admin areas every day. At p < 0.01 one in a
// hundred quiet areas would raise a warning by chance alone, so DetectAll
// adjusts the p-values for the number of areas tested together
// (Benjamini-Hochberg). Result.AdjustedP keeps the expected share of false
// alarms among the areas it flags at most Alpha, and DetectAll grades levels
// by it; the explanation gives both the area's own p-value and the adjusted
// one. Detect on its own does no adjustment (AdjustedP = PValue). Areas too
// short to test do not count towards the adjustment.
//
// # Limits
//
// The method sees only what is reported, when it is reported:
//
//   - Reporting bias: counts measure reporting as much as violence. A new
//     team base, a returning NGO or a radio network raises counts without more
//     violence; a road cut, a network outage or fear of reprisals lowers them.
//     A sudden "new activity" area may be a new source, not a new conflict.
//   - Lag in verification: events are entered and verified days or weeks
//     after they happen, so the last week is usually undercounted and alerts
//     on it come late or weak; the history, fully verified, looks higher by
//     comparison. Running on the last complete week and reading trends over
//     two or four weeks softens this; it does not remove it.
//   - Weeks with no reporting at all count as zero, which lowers the baseline.
//   - Upward only: the test looks for rises. A sudden silence (which may mean
//     access was lost) is not flagged.
//   - Independence: the negative binomial assumes weeks are independent given
//     the rate; violence that escalates over several weeks is more clustered
//     than that, which makes p-values for long windows somewhat too small.
//   - Significance is not severity: a rise from 1 to 6 events can be more
//     significant than one from 40 to 55. Read the counts, not only the
//     level, and treat a result as a prompt for analysis, never as analysis.
package alerts
