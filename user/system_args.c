// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "system.h"
#include "system_args.h"
#include "util.h"

int system_args_parse(int argc, char **argv, const char *usage, unsigned int allowed,
		      struct system_args *a)
{
	static const struct option longopts[] = {
		{ "pin-dir", required_argument, NULL, 'D' },
		{ "json", no_argument, NULL, 'j' },
		{ "follow", no_argument, NULL, 'f' },
		{ "daemon", no_argument, NULL, 'd' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	a->dir = system_default_dir();
	a->json = a->follow = a->daemon = false;
	optind = 1;
	while ((c = getopt_long(argc, argv, "jfvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'D':
			a->dir = optarg;
			break;
		case 'j':
			if (!(allowed & SYSARG_JSON))
				goto bad;
			a->json = true;
			break;
		case 'f':
			if (!(allowed & SYSARG_FOLLOW))
				goto bad;
			a->follow = true;
			break;
		case 'd':
			if (!(allowed & SYSARG_DAEMON))
				goto bad;
			a->daemon = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			printf("%s", usage);
			exit(EXIT_OK);
		default:
			goto bad;
		}
	}
	if (optind == argc)
		return 0;
bad:
	fprintf(stderr, "%s", usage);
	return -1;
}
