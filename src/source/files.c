#include "source/files.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"

int file_list_add(struct file_list *list, const char *path, size_t len, unsigned flags)
{
	if (list->len == list->cap) {
		size_t cap = list->cap ? list->cap * 2 : 256;
		struct file_entry *p = realloc(list->items, cap * sizeof *p);
		if (!p)
			return error_set("out of memory");
		list->items = p;
		list->cap = cap;
	}
	char *copy = malloc(len + 1);
	if (!copy)
		return error_set("out of memory");
	memcpy(copy, path, len);
	copy[len] = '\0';
	list->items[list->len++] = (struct file_entry){copy, flags};
	return 0;
}

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct file_entry *)a)->path, ((const struct file_entry *)b)->path);
}

void file_list_sort(struct file_list *list)
{
	if (list->len > 1)
		qsort(list->items, list->len, sizeof *list->items, entry_cmp);
}

void file_list_free(struct file_list *list)
{
	for (size_t i = 0; i < list->len; i++)
		free(list->items[i].path);
	free(list->items);
	memset(list, 0, sizeof *list);
}

char *file_read_small(const char *root, const char *path, size_t max, size_t *len)
{
	char full[4096];
	if ((size_t)snprintf(full, sizeof full, "%s%s", root, path) >= sizeof full)
		return NULL;
	int fd = open(full, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat st;
	char *p = NULL;
	ssize_t n = -1;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size <= max &&
	    (p = malloc((size_t)st.st_size + 1)))
		n = read(fd, p, (size_t)st.st_size);
	close(fd);
	if (n < 0) {
		free(p);
		return NULL;
	}
	p[n] = '\0';
	*len = (size_t)n;
	return p;
}
