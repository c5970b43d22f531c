"""Interactive offline HTML maps: layout and rendering."""
