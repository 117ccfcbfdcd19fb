"""The site: facts from index data, page views, rendering and the build."""
