SELECT count() FROM `{{.Traces}}` WHERE ResourceAttributes['{{.RunIDKey}}'] = {run:String} FORMAT TSV
