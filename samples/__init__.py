"""Sample reports: readable data files and the workbooks and reports generated from them."""
