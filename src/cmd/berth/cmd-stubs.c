#include "cmd/berth/berth.h"
int cmd_pull(BerthContext *ctx, int argc, char **argv, BerthError **err) { return berth_error(err, EOPNOTSUPP, "not yet"); }
int cmd_push(BerthContext *ctx, int argc, char **argv, BerthError **err) { return berth_error(err, EOPNOTSUPP, "not yet"); }
int cmd_login(BerthContext *ctx, int argc, char **argv, BerthError **err) { return berth_error(err, EOPNOTSUPP, "not yet"); }
int cmd_logout(BerthContext *ctx, int argc, char **argv, BerthError **err) { return berth_error(err, EOPNOTSUPP, "not yet"); }
