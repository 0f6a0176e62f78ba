// Query.providers as a Relay pagination fragment on the root (@connection).
import { graphql } from "react-relay";

export const ProviderList = graphql`
  fragment ProviderList_query on Query
  @refetchable(queryName: "ProviderListPaginationQuery")
  @argumentDefinitions(
    count: { type: "Int", defaultValue: 20 }
    cursor: { type: "String" }
    source: { type: "Source" }
  ) {
    providers(first: $count, after: $cursor, source: $source)
      @connection(key: "ProviderList_providers", filters: ["source"]) {
      edges {
        node {
          ...ProviderView_provider
        }
      }
    }
  }
`;
