//! Reports: the terminal report for an inspector and the JSON document for machines.
