// The u64-stats rule's edits as a Coccinelle semantic patch, for the bench: u64_stats_t becomes u64 and
// each helper becomes the plain read or assignment it stands for.
@@
typedef u64_stats_t, u64;
@@
- u64_stats_t
+ u64

@@
expression E, V;
@@
(
- u64_stats_read(&E)
+ (E)
|
- u64_stats_read(E)
+ (*(E))
|
- u64_stats_set(&E, V)
+ (E) = (V)
|
- u64_stats_set(E, V)
+ (*(E)) = (V)
|
- u64_stats_add(&E, V)
+ (E) += (V)
|
- u64_stats_add(E, V)
+ (*(E)) += (V)
|
- u64_stats_sub(&E, V)
+ (E) -= (V)
|
- u64_stats_sub(E, V)
+ (*(E)) -= (V)
|
- u64_stats_inc(&E)
+ (E)++
|
- u64_stats_inc(E)
+ (*(E))++
|
- u64_stats_dec(&E)
+ (E)--
|
- u64_stats_dec(E)
+ (*(E))--
)
