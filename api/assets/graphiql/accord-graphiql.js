// Starts GraphiQL against this server: queries and mutations are POSTed to /graphql, subscriptions
// go over /graphql/ws (graphql-transport-ws). The Headers tab's headers (an `Authorization:
// Bearer …` above all) travel with every HTTP request and, since a browser WebSocket cannot set
// headers, in `connection_init`'s payload, where Accord reads `authorization`.
(function () {
  'use strict';

  var httpUrl = new URL('/graphql', window.location.href).toString();
  var wsUrl = httpUrl.replace(/^http/, 'ws') + '/ws';

  // One socket per set of headers: changing the token in the Headers tab opens a new socket
  // that authenticates as the new caller.
  var socket = null;
  var socketKey = null;

  // Header names are case-insensitive; the connection_init payload uses lower-case keys.
  function lowerCaseKeys(headers) {
    var payload = {};
    Object.keys(headers).forEach(function (name) {
      payload[name.toLowerCase()] = String(headers[name]);
    });
    return payload;
  }

  function socketFor(headers) {
    var payload = lowerCaseKeys(headers);
    var key = JSON.stringify(payload);
    if (socket && socketKey === key) {
      return socket;
    }
    if (socket) {
      socket.dispose();
    }
    socketKey = key;
    socket = window.graphqlWs.createClient({
      url: wsUrl,
      lazy: true,
      connectionParams: function () {
        return payload;
      },
    });
    return socket;
  }

  // The operation GraphiQL is about to run, from the parsed document it hands the fetcher.
  function isSubscription(params, documentAST) {
    if (!documentAST || !documentAST.definitions) {
      return /^\s*subscription\b/.test(params.query || '');
    }
    var operations = documentAST.definitions.filter(function (definition) {
      return definition.kind === 'OperationDefinition';
    });
    var chosen = operations.filter(function (operation) {
      return params.operationName
        ? operation.name && operation.name.value === params.operationName
        : operations.length === 1;
    })[0];
    return Boolean(chosen) && chosen.operation === 'subscription';
  }

  function subscribe(params, headers) {
    var client = socketFor(headers);
    return {
      subscribe: function (observer) {
        var dispose = client.subscribe(
          {
            query: params.query,
            variables: params.variables,
            operationName: params.operationName,
          },
          {
            next: function (value) {
              observer.next(value);
            },
            error: function (error) {
              if (Array.isArray(error)) {
                // The server refused the operation: show its GraphQL errors as a result.
                observer.next({ errors: error });
                observer.complete();
              } else {
                observer.error(describeClose(error));
              }
            },
            complete: function () {
              observer.complete();
            },
          },
        );
        return { unsubscribe: dispose };
      },
    };
  }

  // graphql-ws reports a socket that closed as its CloseEvent.
  function describeClose(error) {
    if (error instanceof Error) {
      return error;
    }
    if (error && typeof error.code === 'number') {
      return new Error('WebSocket closed with ' + error.code + ' ' + (error.reason || ''));
    }
    return new Error(String(error));
  }

  function post(params, headers) {
    var requestHeaders = {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
    };
    Object.keys(headers).forEach(function (name) {
      requestHeaders[name] = String(headers[name]);
    });
    return window
      .fetch(httpUrl, {
        method: 'POST',
        headers: requestHeaders,
        body: JSON.stringify(params),
        credentials: 'same-origin',
      })
      .then(function (response) {
        return response.json();
      });
  }

  function fetcher(params, options) {
    var headers = (options && options.headers) || {};
    if (isSubscription(params, options && options.documentAST)) {
      return subscribe(params, headers);
    }
    return post(params, headers);
  }

  var root = window.ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    window.React.createElement(window.GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: 'headers',
      shouldPersistHeaders: false,
    }),
  );
})();
