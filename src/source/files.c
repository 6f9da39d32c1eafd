#include "source/files.h"

#include <stdlib.h>
#include <string.h>

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
